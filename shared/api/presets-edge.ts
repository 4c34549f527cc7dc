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

export interface MarketplacePreset {
  object: "preset";
  name: string;
  description: string;
  /** Its traits: the control_settings an installed copy takes. */
  traits: string[];
  /**
   * The base models its vectors are ready for. A built-in preset installs on any base model the
   * GPU nodes serve: its vectors are extracted there on the first install.
   */
  base_models: string[];
  /** "steer" for the built-in presets, else the publishing account's name. */
  author: string;
  built_in: boolean;
}

export interface MarketplacePresetList {
  object: "list";
  data: MarketplacePreset[];
}
