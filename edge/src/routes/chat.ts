// POST /v1/chat/completions, OpenAI's (the official client works unchanged), on one of the caller's
// steerable models or a base model, steered by `steering`; streamed answers pass through.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, json, jsonBody } from "../../../shared/http/openapi.ts";
import { chatCompletionChunkSchema, chatCompletionSchema } from "../../../shared/openai/chat.ts";
import { chatCompletionRequestSchema } from "../api/chat.ts";
import { BODY_ERRORS, INVALID, KEY_ERRORS, MODEL_ERRORS, NODE_ERRORS } from "../api/errors.ts";
import type { EdgeEnv } from "../env.ts";
import { streamChat, wholeCompletion } from "../inference/forward.ts";
import { requestField } from "../inference/resolved-steering.ts";
import { resolveSteering, resolveTarget } from "../inference/target.ts";
import { database } from "../lib/db.ts";
import { NodePool } from "../nodes/pool.ts";
import { TAGS } from "../openapi/tags.ts";

const route = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags: [TAGS.inference.name],
  summary: "OpenAI's chat completions, on a steerable model or a base model, steered by `steering`",
  request: { body: jsonBody(chatCompletionRequestSchema) },
  responses: {
    200: {
      description: "The completion; with stream: true, server-sent events of ChatCompletionChunk",
      content: {
        ...json(chatCompletionSchema),
        // OpenAPI 3.1 has no word for an event stream's items: the schema is each event's data
        // (the last event's is [DONE]; in a stream its GPU node broke off, OpenAI's error body).
        "text/event-stream": { schema: chatCompletionChunkSchema },
      },
    },
    ...errorAnswers({
      ...KEY_ERRORS,
      ...BODY_ERRORS,
      ...NODE_ERRORS,
      ...MODEL_ERRORS,
      400: `${INVALID}; a steering trait the model lacks, a condition's trait uncalibrated and without a threshold, a route's trait uncalibrated, or a conditional term sharing its vector with another; or max_tokens beyond what the context holds`,
    }),
  },
});

export const chatRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid }).openapi(
  route,
  async (c) => {
    const request = c.req.valid("json");
    const pool = NodePool.fromEnv(c.env);
    const { accountId } = c.get("caller");
    const db = database(c.env.DB);
    const target = await resolveTarget(db, pool, accountId, request.model);
    const steering = await resolveSteering(db, accountId, target, request.steering, "steering");
    const body = { ...request, steering: steering?.node };
    // The node's fields are the client's, but for steering, keyed by vector instead of trait.
    const fieldOf = (param: string) =>
      param.startsWith("steering.") ? requestField(steering, param, "steering") : param;
    if (request.stream) return streamChat(c, pool, target, body, fieldOf, steering);
    return c.json(await wholeCompletion(c, pool, target, body, fieldOf, steering), 200);
  },
);
