// OpenAI's chat completions on the wire, as both the edge and the GPU node speak them: the request's
// fields (with the sampling extensions llama.cpp's own server has: top_k, min_p,
// repetition_penalty; and response_format, response-format.ts), the answer, and a streamed answer's
// chunks. Each side adds its `steering`.
import { z } from "zod";
import { MAX_REPETITION_PENALTY, MAX_SEED, MAX_STOP_SEQUENCES } from "../limits.ts";
import { steeringReportSchema } from "../steering/conditions.ts";
import { responseFormatSchema } from "./response-format.ts";

export const chatMessageSchema = z
  .strictObject({
    role: z.enum(["system", "user", "assistant"]),
    content: z.string(),
  })
  .meta({ id: "ChatMessage" });

export type ChatMessage = z.infer<typeof chatMessageSchema>;

const positiveInt = z.number().int().min(1);

export const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_SEED)
  .describe("Sampling seed, 0 to 2^32 - 1: the same seed and request give the same answer");

/** The one definition of repetition_penalty's range: chat, /completions' settings and the node's. */
export const repetitionPenaltySchema = z
  .number()
  .gt(0)
  .max(MAX_REPETITION_PENALTY)
  .describe(
    `Above 1 discourages repeating tokens already in the text (1: none; at most ${MAX_REPETITION_PENALTY})`,
  );

/** How a generation samples and where it stops: the fields chat and text completions share. */
export const samplingFields = {
  max_tokens: positiveInt
    .nullish()
    .describe(
      "Most tokens to generate (default 256); with the prompt, it must fit the model's context",
    ),
  temperature: z.number().min(0).max(2).nullish().describe("0 (the default) decodes greedily"),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: seedSchema.nullish(),
  stop: z
    .union([z.string().min(1), z.array(z.string().min(1)).max(MAX_STOP_SEQUENCES)])
    .nullish()
    .describe(`Up to ${MAX_STOP_SEQUENCES} sequences that end the answer (not included in it)`),
  n: z.literal(1).nullish().describe("Only 1 answer per request"),
  stream: z.boolean().nullish().describe("Answer as server-sent events, chunk by chunk"),
  stream_options: z
    .strictObject({
      include_usage: z
        .boolean()
        .nullish()
        .describe("End the stream with a chunk holding the usage (and no choices)"),
    })
    .nullish(),
  top_k: z.number().int().min(0).nullish().describe("Sample among the k likeliest tokens only"),
  min_p: z.number().min(0).max(1).nullish(),
  repetition_penalty: repetitionPenaltySchema.nullish(),
};

/** The request fields of a chat completion, less `model` and `steering`, which each side defines. */
export const chatRequestFields = {
  messages: z.array(chatMessageSchema).min(1),
  max_completion_tokens: positiveInt.nullish().describe("max_tokens, under its newer name"),
  ...samplingFields,
  response_format: responseFormatSchema.nullish(),
};

export const chatFinishReasonSchema = z.enum(["stop", "length"]);

export type ChatFinishReason = z.infer<typeof chatFinishReasonSchema>;

export const completionUsageSchema = z
  .object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
  })
  .meta({ id: "CompletionUsage" });

export type CompletionUsage = z.infer<typeof completionUsageSchema>;

export const chatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int().describe("Unix seconds"),
    model: z.string().describe("The model the request named"),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal("assistant"), content: z.string() }),
        finish_reason: chatFinishReasonSchema,
      }),
    ),
    usage: completionUsageSchema,
    steering_report: steeringReportSchema.optional().describe("When the request steered"),
  })
  .meta({ id: "ChatCompletion" });

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

/** One server-sent event's data of a streamed chat completion. */
export const chatCompletionChunkSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int().describe("Unix seconds"),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({
          role: z.literal("assistant").optional(),
          content: z.string().optional(),
        }),
        finish_reason: chatFinishReasonSchema.nullable(),
      }),
    ),
    usage: completionUsageSchema
      .nullish()
      .describe("With stream_options.include_usage: null, but in the last chunk"),
    steering_report: steeringReportSchema
      .optional()
      .describe("When the request steered: in the chunk with the finish_reason"),
  })
  .meta({ id: "ChatCompletionChunk" });

export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
