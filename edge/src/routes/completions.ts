// POST /completions, the product's original: a model (steerable or base), a prompt (the user's
// message of a chat), a multiplier per trait (`control_settings`) and Hugging Face-style
// `settings`; answers the whole text at once, in the original shape.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import type { NodeChatRequest } from "../../../shared/node-api/generation.ts";
import {
  type SteeredCompletionRequest,
  steeredCompletionRequestSchema,
  steeredCompletionSchema,
} from "../api/completions.ts";
import { BODY_ERRORS, INVALID, KEY_ERRORS, MODEL_ERRORS, NODE_ERRORS } from "../api/errors.ts";
import type { EdgeEnv } from "../env.ts";
import { wholeCompletion } from "../inference/forward.ts";
import { type ResolvedSteering, requestField } from "../inference/resolved-steering.ts";
import { resolveSteering, resolveTarget } from "../inference/target.ts";
import { database } from "../lib/db.ts";
import { NodePool } from "../nodes/pool.ts";
import { TAGS } from "../openapi/tags.ts";

const route = createRoute({
  method: "post",
  path: "/completions",
  tags: [TAGS.original.name],
  summary: "Complete a prompt with a model, steered by a multiplier per trait (control_settings)",
  request: { body: jsonBody(steeredCompletionRequestSchema) },
  responses: {
    200: jsonAnswer(steeredCompletionSchema, "The completion"),
    ...errorAnswers({
      ...KEY_ERRORS,
      ...BODY_ERRORS,
      ...NODE_ERRORS,
      ...MODEL_ERRORS,
      400: `${INVALID}; a trait the model lacks, a condition's trait uncalibrated and without a threshold, a route's trait uncalibrated, or a conditional term sharing its vector with another; or max_new_tokens beyond what the context holds`,
    }),
  },
});

export const completionRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid }).openapi(
  route,
  async (c) => {
    const request = c.req.valid("json");
    const { accountId } = c.get("caller");
    const pool = NodePool.fromEnv(c.env);
    const db = database(c.env.DB);
    const target = await resolveTarget(db, pool, accountId, request.model);
    const steering = await resolveSteering(
      db,
      accountId,
      target,
      request.control_settings,
      "control_settings",
    );
    const body = chatRequest(request, steering?.node);
    const fieldOf = (param: string) => fieldOfChat(param, steering);
    const completion = await wholeCompletion(c, pool, target, body, fieldOf, steering);
    return c.json(
      {
        model_id: target.model,
        object: "text_completion" as const,
        created: completion.created,
        model: target.model,
        content: completion.choices[0]?.message.content ?? "",
        usage: completion.usage,
        steering_report: completion.steering_report,
      },
      200,
    );
  },
);

/** The chat request a steered completion asks of the node. */
function chatRequest(
  request: SteeredCompletionRequest,
  steering: NodeChatRequest["steering"],
): NodeChatRequest {
  const { settings } = request;
  return {
    messages: [{ role: "user", content: request.prompt }],
    max_tokens: settings.max_new_tokens,
    // Sampling as transformers' generate() does: greedy unless do_sample, then temperature 1.
    temperature: settings.do_sample ? (settings.temperature ?? 1) : 0,
    top_p: settings.top_p,
    top_k: settings.top_k,
    seed: settings.seed,
    repetition_penalty: settings.repetition_penalty,
    steering,
  };
}

/** The node request's fields (chatRequest above) -> the fields of this request they came from. */
function fieldOfChat(param: string, steering: ResolvedSteering | undefined): string {
  if (param.startsWith("messages")) return "prompt";
  if (param.startsWith("steering")) return requestField(steering, param, "control_settings");
  if (param === "max_tokens") return "settings.max_new_tokens";
  return `settings.${param}`;
}
