// GET /v1/models: the one base model a node serves, with its metadata.
import { z } from "zod";

export const modelObjectSchema = z.object({
  id: z.string(),
  object: z.literal("model"),
  /** Unix seconds. */
  created: z.number().int(),
  owned_by: z.string(),
  metadata: z.object({
    architecture: z.string(),
    name: z.string().nullable(),
    layers: z.number().int(),
    width: z.number().int(),
    context_length: z.number().int(),
    parameters: z.number().int(),
    size_bytes: z.number().int(),
  }),
});

export type ModelObject = z.infer<typeof modelObjectSchema>;

export const modelListSchema = z.object({
  object: z.literal("list"),
  data: z.array(modelObjectSchema),
});

export type ModelList = z.infer<typeof modelListSchema>;
