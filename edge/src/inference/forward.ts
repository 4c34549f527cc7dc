// Sending a chat request on to a GPU node, with the vectors its steering names (the node that
// answers gets any it lacks uploaded from R2: nodes/vectors.ts), and metering what it makes: a
// stream as it passes (the node always adds its usage chunk), a whole answer when it comes. A
// client that leaves midway is metered for what was made, streamed or not.
import type { Context } from "hono";
import type { ChatCompletion, ChatCompletionRequest } from "../../../shared/api/chat.ts";
import { PROMPT_TOKENS_HEADER } from "../../../shared/api/headers.ts";
import type { EdgeEnv } from "../env.ts";
import type { NodePool } from "../nodes/pool.ts";
import { requestWithVectors } from "../nodes/vectors.ts";
import { meter } from "./meter.ts";
import { meteredStream } from "./metered-stream.ts";
import type { Target } from "./target.ts";

/** The node's stream, metered under the target's name; an error answer as the node gave it. */
export async function streamChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
  options: { passUsageChunk: boolean },
): Promise<Response> {
  const response = await sendChat(c, pool, {
    ...body,
    stream: true,
    stream_options: { include_usage: true },
  });
  if (!response.ok || !response.body) return c.newResponse(response.body, response);
  const { stream, measured } = meteredStream(response.body, {
    promptTokens: Number(response.headers.get(PROMPT_TOKENS_HEADER) ?? 0),
    passUsageChunk: options.passUsageChunk,
  });
  meter(c, target.model, measured);
  return c.newResponse(stream, response);
}

/**
 * The whole completion, unstreamed. The edge, not the client, waits for it (under waitUntil), so
 * that a client that leaves before it comes is metered all the same.
 */
export function wholeCompletion(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
): Promise<ChatCompletion | Response> {
  const answer = (async () => {
    const response = await sendChat(c, pool, { ...body, stream: false });
    if (!response.ok) return c.newResponse(response.body, response);
    const completion = (await response.json()) as ChatCompletion;
    const { prompt_tokens, completion_tokens } = completion.usage;
    meter(c, target.model, {
      promptTokens: prompt_tokens,
      completionTokens: completion_tokens,
      outcome: "completed",
    });
    return completion;
  })();
  c.executionCtx.waitUntil(answer.catch(() => undefined));
  return answer;
}

function sendChat(c: Context<EdgeEnv>, pool: NodePool, body: ChatCompletionRequest) {
  return requestWithVectors(
    pool,
    c.env.VECTORS,
    Object.keys(body.steering ?? {}),
    "/v1/chat/completions",
    {
      method: "POST",
      // The node logs the request under the edge's id, and answers with it.
      headers: { "content-type": "application/json", "x-request-id": c.get("requestId") },
      body: JSON.stringify(body),
    },
  ).then(({ response }) => response);
}
