// The edge's presets, the marketplace: ready-made steerable models anyone can install into their
// account (GET /v1/presets, POST /v1/presets/{name}/install), built in or published by users from
// a ready model of theirs (POST /v1/presets). Not the GPU node's presets (presets.ts), which only
// name a stored vector.
import { z } from "zod";
import { presetNameSchema } from "./presets.ts";

export const publishPresetSchema = z.object({
  /** A ready steerable model of the caller's. */
  model_id: z.string().min(1),
  name: presetNameSchema,
  description: z.string().min(1).max(1024),
});

export type PublishPreset = z.infer<typeof publishPresetSchema>;

/** POST /v1/presets/{name}/install: the body is optional. */
export const installPresetSchema = z.object({
  /**
   * The base model to install on: any the GPU nodes serve, for a built-in preset (by default the
   * first they list); a published preset's own, for a published one (its vectors are for it).
   */
  base_model: z.string().min(1).nullish(),
});

export type InstallPreset = z.infer<typeof installPresetSchema>;

export const marketplacePresetSchema = z.object({
  object: z.literal("preset"),
  name: z.string(),
  description: z.string(),
  /** Its traits: the control_settings an installed copy takes. */
  traits: z.array(z.string()),
  /**
   * The base models its vectors are ready for. A built-in preset installs on any base model the
   * GPU nodes serve: its vectors are extracted there on the first install.
   */
  base_models: z.array(z.string()),
  /** "steer" for the built-in presets, else the publishing account's name. */
  author: z.string(),
  built_in: z.boolean(),
});

export type MarketplacePreset = z.infer<typeof marketplacePresetSchema>;

export const marketplacePresetListSchema = z.object({
  object: z.literal("list"),
  data: z.array(marketplacePresetSchema),
});

export type MarketplacePresetList = z.infer<typeof marketplacePresetListSchema>;

export const marketplacePresetDeletedSchema = z.object({
  name: z.string(),
  object: z.literal("preset"),
  deleted: z.literal(true),
});

export type MarketplacePresetDeleted = z.infer<typeof marketplacePresetDeletedSchema>;
