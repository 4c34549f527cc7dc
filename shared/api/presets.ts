// Presets: node-wide names for stored vectors, usable as `steering` references in place of a
// vector id. PUT /v1/presets/{name} creates or replaces one, GET /v1/presets lists them,
// GET and DELETE /v1/presets/{name}.
import { z } from "zod";
import { VECTOR_ID } from "./vectors.ts";

/** At most 63 characters, so that a name can never be mistaken for a 64-hex vector id. */
export const PRESET_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export const presetNameSchema = z
  .string()
  .regex(PRESET_NAME, "must be 1 to 63 of a-z, 0-9, _ and -, starting with a letter");

export const presetRequestSchema = z.object({
  vector_id: z.string().regex(VECTOR_ID, "must be a vector id (64 hex digits)"),
  description: z.string().max(1024).nullish(),
});

export type PresetRequest = z.infer<typeof presetRequestSchema>;

export const presetObjectSchema = z.object({
  object: z.literal("preset"),
  name: presetNameSchema,
  vector_id: z.string().regex(VECTOR_ID),
  description: z.string().nullable(),
  /** Unix seconds of the PUT that made this definition (a replacement is a new definition). */
  created: z.number().int(),
});

export type PresetObject = z.infer<typeof presetObjectSchema>;

export interface PresetList {
  object: "list";
  data: PresetObject[];
}

export interface PresetDeleted {
  name: string;
  object: "preset";
  deleted: true;
}
