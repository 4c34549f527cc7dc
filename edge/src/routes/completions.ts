// POST /completions, the product's original: a steerable model, a prompt (the user's message of a
// chat), a multiplier per trait (`control_settings`) and HF-style `settings`; answers the whole
// text at once, in the original shape.
import { Hono } from "hono";
import type { ChatCompletionRequest } from "../../../shared/api/chat.ts";
import {
  type SteeredCompletion,
  type SteeredCompletionRequest,
  steeredCompletionRequestSchema,
} from "../../../shared/api/steerable-models.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import type { EdgeEnv } from "../env.ts";
import { wholeCompletion } from "../inference/forward.ts";
import { nodeSteering, steerableTarget, type Target, unknownModel } from "../inference/target.ts";
import { database } from "../lib/db.ts";
import { NodePool } from "../nodes/pool.ts";

export const completionRoutes = new Hono<EdgeEnv>().post("/completions", async (c) => {
  const request = await parseJsonBody(c.req.raw, steeredCompletionRequestSchema);
  const { accountId } = c.get("caller");
  const pool = NodePool.fromEnv(c.env);
  const target = await steerableTarget(database(c.env.DB), pool, accountId, request.model);
  if (!target) throw unknownModel(request.model);
  const completion = await wholeCompletion(c, pool, target, chatRequest(target, request));
  if (completion instanceof Response) return completion;
  return c.json({
    model_id: target.model,
    object: "text_completion",
    created: completion.created,
    model: target.baseModel,
    content: completion.choices[0]?.message.content ?? "",
    usage: completion.usage,
  } satisfies SteeredCompletion);
});

/** The chat request a steered completion asks of the node. */
function chatRequest(target: Target, request: SteeredCompletionRequest): ChatCompletionRequest {
  const { settings } = request;
  return {
    model: target.baseModel,
    messages: [{ role: "user", content: request.prompt }],
    max_tokens: settings.max_new_tokens,
    // Sampling as transformers' generate() does: greedy unless do_sample, then temperature 1.
    temperature: settings.do_sample ? (settings.temperature ?? 1) : 0,
    top_p: settings.top_p,
    seed: settings.seed,
    repetition_penalty: settings.repetition_penalty,
    steering: nodeSteering(target, request.control_settings, "control_settings"),
  };
}
