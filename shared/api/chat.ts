// POST /v1/chat/completions: OpenAI's request and response, plus Steer's extensions (`top_k`,
// `min_p`, `repetition_penalty` and `steering`: vector reference -> multiplier).
import { z } from "zod";

/** The largest |multiplier| a request may ask for (useful values lie within about +-2). */
export const MAX_MULTIPLIER = 10;
export const MAX_STOP_SEQUENCES = 16;

export const chatMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

const positiveInt = z.number().int().min(1);

/** A sampling seed: 32 bits, as llama.cpp takes it. */
export const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

export const chatCompletionRequestSchema = z.object({
  model: z.string().nullish(),
  messages: z.array(chatMessageSchema).min(1),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: seedSchema.nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(MAX_STOP_SEQUENCES)]).nullish(),
  n: z.literal(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  top_k: z.number().int().min(0).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  repetition_penalty: z.number().gt(0).nullish(),
  steering: z
    .record(z.string().min(1), z.number().min(-MAX_MULTIPLIER).max(MAX_MULTIPLIER))
    .nullish(),
});

/** The edge's request: the same, but `model` names what to run (a steerable model's id or the base
 * model's), and `steering` is keyed by trait name. */
export const edgeChatCompletionRequestSchema = chatCompletionRequestSchema.extend({
  model: z.string().min(1),
});

export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export const chatFinishReasonSchema = z.enum(["stop", "length"]);

export type ChatFinishReason = z.infer<typeof chatFinishReasonSchema>;

export const completionUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export type CompletionUsage = z.infer<typeof completionUsageSchema>;

export const chatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  /** Unix seconds. */
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal("assistant"), content: z.string() }),
      finish_reason: chatFinishReasonSchema,
    }),
  ),
  usage: completionUsageSchema,
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

/** One server-sent event's data of a streamed chat completion. */
export const chatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal("chat.completion.chunk"),
  /** Unix seconds. */
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal("assistant").optional(), content: z.string().optional() }),
      finish_reason: chatFinishReasonSchema.nullable(),
    }),
  ),
  /** Present (null until the last chunk) when stream_options.include_usage is set. */
  usage: completionUsageSchema.nullish(),
});

export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
