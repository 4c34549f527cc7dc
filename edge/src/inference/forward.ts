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
import { readWhole } from "./whole-completion.ts";

/** The node's stream, metered under the target's name; an error answer as the node gave it. */
export async function streamChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
  options: { passUsageChunk: boolean },
): Promise<Response> {
  const response = await sendChat(c, pool, body);
  if (!response.ok || !response.body) return c.newResponse(response.body, response);
  const { stream, measured } = meteredStream(response.body, {
    promptTokens: promptTokensOf(response),
    passUsageChunk: options.passUsageChunk,
  });
  meter(c, target.model, measured);
  return c.newResponse(stream, response);
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
  const response = await sendChat(c, pool, body);
  if (!response.ok || !response.body) return c.newResponse(response.body, response);
  const { completion, measured } = readWhole(
    response.body,
    promptTokensOf(response),
    c.req.raw.signal,
  );
  // Metered under waitUntil: the runtime may drop the handler once its client has gone, and what
  // the read meets (the end, or the client leaving) is what settles the metering.
  meter(c, target.model, measured);
  return completion;
}

function promptTokensOf(response: Response): number {
  return Number(response.headers.get(PROMPT_TOKENS_HEADER) ?? 0);
}

/** Asks a node for the answer as a stream, with its usage chunk at the end. */
function sendChat(c: Context<EdgeEnv>, pool: NodePool, request: ChatCompletionRequest) {
  const body = { ...request, stream: true, stream_options: { include_usage: true } };
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
