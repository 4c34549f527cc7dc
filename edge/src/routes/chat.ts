// POST /v1/chat/completions, OpenAI's (the official client works unchanged), on one of the caller's
// steerable models, steered by trait name (`steering`), or on the base model. Streams pass through
// as the node sends them, but for the usage chunk, dropped unless the client asked for it.
import { Hono } from "hono";
import { edgeChatCompletionRequestSchema } from "../../../shared/api/chat.ts";
import { PROMPT_TOKENS_HEADER } from "../../../shared/api/headers.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import type { EdgeEnv } from "../env.ts";
import { forwardChat, wholeCompletion } from "../inference/forward.ts";
import { meter } from "../inference/meter.ts";
import { meteredStream } from "../inference/metered-stream.ts";
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
    const response = await forwardChat(c, pool, body);
    if (!response.ok) return response;
    return c.json(await wholeCompletion(c, target, response));
  }
  // The node always adds usage at the end, so that the edge can meter what it streamed.
  const response = await forwardChat(c, pool, { ...body, stream_options: { include_usage: true } });
  if (!response.ok || !response.body) return response;
  const { stream, measured } = meteredStream(response.body, {
    promptTokens: Number(response.headers.get(PROMPT_TOKENS_HEADER) ?? 0),
    passUsageChunk: request.stream_options?.include_usage === true,
  });
  meter(c, target.model, measured);
  return new Response(stream, response);
});
