// Sending a chat request on to a GPU node, with the vectors its steering names (the node that
// answers gets any it lacks uploaded from R2: nodes/vectors.ts), and metering what it makes. The
// node is always asked to stream, with its usage chunk at the end: a streaming client gets the
// stream as it passes, any other the whole answer put together from it. A client that leaves
// midway cancels the node's stream, which stops the generation, and is metered for what was made.
import type { Context } from "hono";
import type { ChatCompletion, ChatCompletionRequest } from "../../../shared/api/chat.ts";
import { PROMPT_TOKENS_HEADER } from "../../../shared/api/headers.ts";
import type { EdgeEnv } from "../env.ts";
import type { NodePool } from "../nodes/pool.ts";
import { requestWithVectors } from "../nodes/vectors.ts";
import { meter } from "./meter.ts";
import { meteredStream } from "./metered-stream.ts";
import type { Target } from "./target.ts";
import { readToEnd, WholeCompletion } from "./whole-completion.ts";

/** The node's stream, metered under the target's name; an error answer as the node gave it. */
export async function streamChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
  options: { passUsageChunk: boolean },
): Promise<Response> {
  const node = await meteredChat(c, pool, target, body, options);
  return node instanceof Response ? node : c.newResponse(node.stream, node.response);
}

/**
 * The whole completion, for a client that did not ask to stream: read from the node's stream,
 * which the client leaving cancels (stopping the generation); metered either way.
 */
export async function wholeCompletion(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
): Promise<ChatCompletion | Response> {
  const whole = new WholeCompletion();
  const node = await meteredChat(c, pool, target, body, {
    passUsageChunk: true,
    onChunk: (chunk) => whole.add(chunk),
  });
  if (node instanceof Response) return node;
  // Read under waitUntil: the runtime may drop the handler once its client has gone, and what the
  // read meets (the end, or the client leaving) is what settles the metering.
  const read = readToEnd(node.stream, c.req.raw.signal);
  c.executionCtx.waitUntil(read.catch(() => undefined));
  await read;
  return whole.completion();
}

/** Asks the node for a stream (with usage), metered as it is read; an error answer as it came. */
async function meteredChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
  options: Omit<Parameters<typeof meteredStream>[1], "promptTokens">,
) {
  const response = await sendChat(c, pool, {
    ...body,
    stream: true,
    stream_options: { include_usage: true },
  });
  if (!response.ok || !response.body) return c.newResponse(response.body, response);
  const { stream, measured } = meteredStream(response.body, {
    ...options,
    promptTokens: Number(response.headers.get(PROMPT_TOKENS_HEADER) ?? 0),
  });
  meter(c, target.model, measured);
  return { stream, response };
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
