// The GPU node's generation endpoints: OpenAI's chat and legacy text completions, steered by the
// vectors the node stores, whole or streamed; and stopping a generation by the id its sender gave.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { jsonRecord } from "../http/json-record.ts";
import { errorAnswers, json, jsonAnswer, jsonBody } from "../http/openapi.ts";
import { MAX_MULTIPLIER } from "../limits.ts";
import { chatCompletionSchema, chatRequestFields, samplingFields } from "../openai/chat.ts";
import { completionSchema } from "../openai/completions.ts";
import { BOTH_THRESHOLDS, conditionFields, notBothThresholds } from "../steering/conditions.ts";
import {
  GENERATION_ID_HEADER,
  METERING_HEADER,
  MODEL_ALIAS_HEADER,
  REQUEST_ID_HEADER,
} from "./headers.ts";
import { VECTOR_ID } from "./vectors.ts";

const vectorId = z.string().regex(VECTOR_ID, "must be a vector id (64 hex digits) the node stores");
const multiplier = z.number().min(-MAX_MULTIPLIER).max(MAX_MULTIPLIER);

/** A term that applies only when its condition fires (shared/steering/conditions.ts). */
export const nodeConditionalTermSchema = z.strictObject({
  multiplier,
  when: z
    .strictObject({
      vector: vectorId.describe("The vector whose direction is read"),
      ...conditionFields,
    })
    .refine((when) => when.above !== undefined || when.below !== undefined, {
      message: "give one of above and below",
      path: ["above"],
    })
    .refine(notBothThresholds, { message: BOTH_THRESHOLDS, path: ["below"] }),
});

export type NodeConditionalTerm = z.infer<typeof nodeConditionalTermSchema>;

export type NodeSteering = z.output<typeof nodeSteeringSchema>;

/** Vector id -> multiplier, or a conditional term: the sum of multiplier x vector is added at
 * every token (a conditional term's once its condition fires). */
export const nodeSteeringSchema = jsonRecord(
  vectorId,
  z.union([multiplier, nodeConditionalTermSchema]),
).describe(
  "Vector id -> multiplier, or -> {multiplier, when}: a term applied once its condition fires; " +
    "the vectors (steered and read) must be stored on the node (POST /v1/vectors)",
);

export const nodeChatRequestSchema = z.strictObject({
  model: z.string().nullish().describe("Ignored: a node serves one model"),
  ...chatRequestFields,
  steering: nodeSteeringSchema.nullish(),
});

export type NodeChatRequest = z.input<typeof nodeChatRequestSchema>;

export const nodeCompletionRequestSchema = z.strictObject({
  model: z.string().nullish().describe("Ignored: a node serves one model"),
  prompt: z.string().min(1).describe("Raw text, without the chat template"),
  ...samplingFields,
  steering: nodeSteeringSchema.nullish(),
});

export type NodeCompletionRequest = z.input<typeof nodeCompletionRequestSchema>;

/** The headers a generation request may carry besides the body (headers.ts). */
const generationHeaders = z.object({
  [REQUEST_ID_HEADER]: z.string().optional(),
  [GENERATION_ID_HEADER]: z.string().min(1).max(128).optional(),
  [MODEL_ALIAS_HEADER]: z.string().min(1).max(256).optional(),
  [METERING_HEADER]: z.literal("1").optional(),
});

const eventStream = {
  "text/event-stream": {
    schema: z.string().describe("Server-sent events, each a chunk as JSON; the last one [DONE]"),
  },
};

const generationErrors = errorAnswers({
  400: "The request is invalid, or does not fit the model's context (param names the field)",
  401: "The node's bearer token is missing or wrong",
  404: "A steering vector is not stored on the node (code vector_not_found)",
  413: "The body is too large",
  503: "The node is shutting down, or its queue is full (Retry-After)",
});

export const chatRoute = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  summary: "A chat completion, steered; whole, or streamed as server-sent events",
  request: { headers: generationHeaders, body: jsonBody(nodeChatRequestSchema) },
  responses: {
    200: {
      description: "The completion; streamed, a ChatCompletionChunk per event",
      content: { ...json(chatCompletionSchema), ...eventStream },
    },
    ...generationErrors,
  },
});

export const completionRoute = createRoute({
  method: "post",
  path: "/v1/completions",
  summary: "A legacy text completion of a raw prompt, steered; whole, or streamed",
  request: { headers: generationHeaders, body: jsonBody(nodeCompletionRequestSchema) },
  responses: {
    200: {
      description: "The completion; streamed, a Completion chunk per event",
      content: { ...json(completionSchema), ...eventStream },
    },
    ...generationErrors,
  },
});

export const generationCancelledSchema = z.object({
  id: z.string(),
  object: z.literal("generation"),
  cancelled: z.literal(true),
});

export const cancelGenerationRoute = createRoute({
  method: "post",
  path: "/v1/generations/{id}/cancel",
  summary: "Stop the generation running under an id its request gave (x-steer-generation-id)",
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: jsonAnswer(generationCancelledSchema, "Stopped: its whole answer comes at once"),
    ...errorAnswers({
      401: "The node's bearer token is missing or wrong",
      404: "No generation runs under the id",
    }),
  },
});
