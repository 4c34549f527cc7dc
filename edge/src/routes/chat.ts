// POST /v1/chat/completions, OpenAI's (the official client works unchanged), on one of the caller's
// steerable models, steered by trait name (`steering`), or on the base model. Streams pass through
// as the node sends them, but for the usage chunk, dropped unless the client asked for it.
import { Hono } from "hono";
import { edgeChatCompletionRequestSchema } from "../../../shared/api/chat.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import type { EdgeEnv } from "../env.ts";
import { streamChat, wholeCompletion } from "../inference/forward.ts";
import { nodeSteering, resolveTarget } from "../inference/target.ts";
import { database } from "../lib/db.ts";
import { NodePool } from "../nodes/pool.ts";

export const chatRoutes = new Hono<EdgeEnv>().post("/v1/chat/completions", async (c) => {
  const request = await parseJsonBody(c.req.raw, edgeChatCompletionRequestSchema);
  const pool = NodePool.fromEnv(c.env);
  const { accountId } = c.get("caller");
  const target = await resolveTarget(database(c.env.DB), pool, accountId, request.model);
  const body = {
    ...request,
    model: target.baseModel,
    steering: nodeSteering(target, request.steering, "steering"),
  };
  if (!request.stream) {
    const whole = await wholeCompletion(c, pool, target, body);
    return whole instanceof Response ? whole : c.json(whole);
  }
  return streamChat(c, pool, target, body, {
    passUsageChunk: request.stream_options?.include_usage === true,
  });
});
