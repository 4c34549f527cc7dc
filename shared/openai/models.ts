// OpenAI's model list, with Steer's metadata on each model: what a GPU node serves (GET /v1/models
// on a node) and what the edge lists of all its nodes.
import { z } from "zod";
import { listOf } from "./list.ts";

export const modelObjectSchema = z
  .object({
    id: z.string(),
    object: z.literal("model"),
    created: z.number().int().describe("Unix seconds"),
    owned_by: z.string(),
    metadata: z.object({
      architecture: z.string(),
      name: z.string().nullable(),
      layers: z.number().int().describe("Layers 1 to layers - 1 can be steered"),
      width: z.number().int().describe("The residual stream's width: a direction's length"),
      context_length: z.number().int().describe("Tokens of prompt and answer a request may hold"),
      parameters: z.number().int(),
      size_bytes: z.number().int(),
      serving: z
        .record(z.string(), z.union([z.string(), z.number(), z.null()]))
        .optional()
        .describe(
          "A GPU node's serving settings, by steer serve's flag (null: the engine decides)",
        ),
    }),
  })
  .meta({ id: "Model" });

export type ModelObject = z.infer<typeof modelObjectSchema>;

export const modelListSchema = listOf(modelObjectSchema).meta({ id: "ModelList" });

export type ModelList = z.infer<typeof modelListSchema>;
