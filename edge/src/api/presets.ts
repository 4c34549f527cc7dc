// The marketplace: ready-made steerable models anyone can install into their account, built in or
// published by users from a ready model of theirs.
import { z } from "zod";
import { listOf } from "../../../shared/openai/list.ts";
import { traitQualitySchema } from "./steerable-models.ts";

/** At most 63 characters: a lower-case name fit for a URL. */
export const PRESET_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export const presetNameSchema = z
  .string()
  .regex(PRESET_NAME, "must be 1 to 63 of a-z, 0-9, _ and -, starting with a letter");

export const publishPresetSchema = z
  .strictObject({
    model_id: z.string().min(1).describe("A ready steerable model of yours"),
    name: presetNameSchema,
    description: z.string().min(1).max(1024),
  })
  .meta({ id: "PublishPreset" });

export type PublishPreset = z.infer<typeof publishPresetSchema>;

/** POST /v1/presets/{name}/install: the body is optional. */
export const installPresetSchema = z
  .strictObject({
    base_model: z
      .string()
      .min(1)
      .nullish()
      .describe(
        "The base model to install on: a built-in preset installs on any the GPU nodes serve " +
          "(default: the first they list), a published one on its own only",
      ),
  })
  .meta({ id: "InstallPreset" });

export type InstallPreset = z.infer<typeof installPresetSchema>;

export const marketplacePresetSchema = z
  .object({
    object: z.literal("preset"),
    name: z.string(),
    description: z.string(),
    traits: z
      .array(z.string())
      .describe("Its traits: the control_settings an installed copy takes"),
    base_models: z
      .array(z.string())
      .describe(
        "The base models its vectors are ready for; a built-in preset installs on any base model " +
          "the GPU nodes serve, extracting them there on the first install",
      ),
    author: z
      .string()
      .describe('"steer" for the built-in presets, else the publishing account\'s name'),
    built_in: z.boolean(),
    quality: traitQualitySchema.describe(
      "Its traits' quality cards, as they were when it was published (none for the built-in ones)",
    ),
  })
  .meta({ id: "Preset" });

export type MarketplacePreset = z.infer<typeof marketplacePresetSchema>;

export const marketplacePresetListSchema = listOf(marketplacePresetSchema).meta({
  id: "PresetList",
});

export type MarketplacePresetList = z.infer<typeof marketplacePresetListSchema>;

export const marketplacePresetDeletedSchema = z
  .object({ name: z.string(), object: z.literal("preset"), deleted: z.literal(true) })
  .meta({ id: "PresetDeleted" });

export type MarketplacePresetDeleted = z.infer<typeof marketplacePresetDeletedSchema>;
