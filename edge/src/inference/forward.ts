// Sending a chat request on to a GPU node, with the vectors its steering names (the node that
// answers gets any it lacks uploaded from R2: nodes/vectors.ts), and metering what it makes: a
// stream as it passes (the node always adds its usage chunk), a whole answer when it comes. A
// client that leaves midway stops the generation (its stream is cancelled; a whole answer's is
// cancelled by id) and is metered for what was made. Workers learn that a client left from
// request.signal (wrangler.toml's enable_request_signal); locally, under wrangler dev or Miniflare,
// the signal does not reach the Worker through their entry workers, so there a generation whose
// client left runs to its end, and is metered whole.
import type { Context } from "hono";
import type { ChatCompletion, ChatCompletionRequest } from "../../../shared/api/chat.ts";
import { GENERATION_ID_HEADER, PROMPT_TOKENS_HEADER } from "../../../shared/api/headers.ts";
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
  const streamed = { ...body, stream: true, stream_options: { include_usage: true } };
  const response = await sendChat(c, pool, streamed);
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
 * that a client who leaves before it comes is metered all the same; and when one does, the node is
 * told to stop (by the generation's id), and answers at once with what it made.
 */
export function wholeCompletion(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
): Promise<ChatCompletion | Response> {
  const generationId = crypto.randomUUID();
  const client = c.req.raw.signal;
  const stop = () => c.executionCtx.waitUntil(cancelGeneration(pool, generationId));
  client.addEventListener("abort", stop);
  const answer = (async () => {
    try {
      const whole = { ...body, stream: false };
      const response = await sendChat(c, pool, whole, { [GENERATION_ID_HEADER]: generationId });
      if (!response.ok) return c.newResponse(response.body, response);
      const completion = (await response.json()) as ChatCompletion;
      const { prompt_tokens, completion_tokens } = completion.usage;
      meter(c, target.model, {
        promptTokens: prompt_tokens,
        completionTokens: completion_tokens,
        outcome: client.aborted ? "cancelled" : "completed",
      });
      return completion;
    } finally {
      client.removeEventListener("abort", stop);
    }
  })();
  c.executionCtx.waitUntil(answer.catch(() => undefined));
  return answer;
}

/**
 * Stops a generation wherever it runs: the request may still be on its way to a node, so each is
 * asked, and a node that does not run it answers 404.
 */
async function cancelGeneration(pool: NodePool, id: string): Promise<void> {
  const path = `/v1/generations/${encodeURIComponent(id)}/cancel`;
  await Promise.all(
    pool.nodes.map((node) => pool.requestTo(node, path, { method: "POST" }).catch(() => undefined)),
  );
}

/** Sends a chat request to a node, with the vectors its steering names. */
function sendChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  body: ChatCompletionRequest,
  headers: Record<string, string> = {},
) {
  return requestWithVectors(
    pool,
    c.env.VECTORS,
    Object.keys(body.steering ?? {}),
    "/v1/chat/completions",
    {
      method: "POST",
      // The node logs the request under the edge's id, and answers with it.
      headers: {
        "content-type": "application/json",
        "x-request-id": c.get("requestId"),
        ...headers,
      },
      body: JSON.stringify(body),
    },
  ).then(({ response }) => response);
}
