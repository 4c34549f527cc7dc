// POST /completions, the product's original: a model, a prompt (a chat's one user message), a
// multiplier per trait, or a conditional one, or a route (`control_settings`, as chat's steering) and Hugging Face-style generation `settings`, with the
// original's defaults; the whole answer at once, in the original's shape.
import { z } from "zod";
import { DEFAULT_MAX_TOKENS } from "../../../shared/limits.ts";
import {
  completionUsageSchema,
  repetitionPenaltySchema,
  samplingFields,
  seedSchema,
} from "../../../shared/openai/chat.ts";
import { steeringReportSchema } from "../../../shared/steering/conditions.ts";
import { steeringSchema } from "./steering.ts";

/** The original's: transformers' generate() with repetition_penalty 1.1 unless told otherwise. */
export const DEFAULT_REPETITION_PENALTY = 1.1;

export const completionSettingsSchema = z
  .strictObject({
    do_sample: z
      .boolean()
      .default(false)
      .describe("Sample (temperature 1 by default) or decode greedily"),
    max_new_tokens: z
      .number()
      .int()
      .min(1)
      .default(DEFAULT_MAX_TOKENS)
      .describe("With the prompt, it must fit the model's context"),
    repetition_penalty: repetitionPenaltySchema.default(DEFAULT_REPETITION_PENALTY),
    temperature: samplingFields.temperature,
    top_p: samplingFields.top_p,
    top_k: samplingFields.top_k,
    seed: seedSchema.nullish(),
  })
  .describe("Generation settings, as transformers' generate() names them");

export const steeredCompletionRequestSchema = z
  .strictObject({
    model: z.string().min(1).describe("One of your steerable models' ids, or a base model"),
    prompt: z.string().min(1).describe("The user's message"),
    control_settings: steeringSchema.default({}),
    settings: completionSettingsSchema.default(completionSettingsSchema.parse({})),
  })
  .meta({ id: "SteeredCompletionRequest" });

export type SteeredCompletionRequest = z.infer<typeof steeredCompletionRequestSchema>;

export const steeredCompletionSchema = z
  .object({
    model_id: z.string().describe("The model the request named"),
    object: z.literal("text_completion"),
    created: z.number().int().describe("Unix seconds"),
    model: z.string().describe("The model the request named"),
    content: z.string(),
    usage: completionUsageSchema,
    steering_report: steeringReportSchema.optional().describe("When control_settings steered"),
  })
  .meta({ id: "SteeredCompletion" });

export type SteeredCompletion = z.infer<typeof steeredCompletionSchema>;
