// Sending a chat request on to a GPU node, with the vectors its steering names (the node that
// answers gets any it lacks uploaded from R2: nodes/vectors.ts). The node is always asked to
// stream, usage chunk and all, so the edge meters what it makes as it passes: a client that
// leaves midway, streamed or not, is still metered for what was made.
import type { Context } from "hono";
import type {
  ChatCompletion,
  ChatCompletionRequest,
  ChatFinishReason,
} from "../../../shared/api/chat.ts";
import { PROMPT_TOKENS_HEADER } from "../../../shared/api/headers.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { EdgeEnv } from "../env.ts";
import type { NodePool } from "../nodes/pool.ts";
import { requestWithVectors } from "../nodes/vectors.ts";
import { meter } from "./meter.ts";
import { meteredStream } from "./metered-stream.ts";
import { parseChunk, SseEvents } from "./sse.ts";
import type { Target } from "./target.ts";

/** The node's stream, metered under the target's name; an error answer as the node gave it. */
export async function streamChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
  options: { passUsageChunk: boolean },
): Promise<Response> {
  const { response } = await requestWithVectors(
    pool,
    c.env.VECTORS,
    Object.keys(body.steering ?? {}),
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    },
  );
  if (!response.ok || !response.body) return response;
  const { stream, measured } = meteredStream(response.body, {
    promptTokens: Number(response.headers.get(PROMPT_TOKENS_HEADER) ?? 0),
    passUsageChunk: options.passUsageChunk,
  });
  meter(c, target.model, measured);
  return new Response(stream, response);
}

/** The whole completion, gathered from the node's stream; an error answer as the node gave it. */
export async function wholeCompletion(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: ChatCompletionRequest,
): Promise<ChatCompletion | Response> {
  const response = await streamChat(c, pool, target, body, { passUsageChunk: true });
  if (!response.ok || !response.body) return response;
  return gather(response.body);
}

/** Chunks into one chat.completion, as the node would have answered it unstreamed. */
async function gather(stream: ReadableStream<Uint8Array>): Promise<ChatCompletion> {
  const events = new SseEvents();
  let completion: Omit<ChatCompletion, "choices" | "usage"> | undefined;
  let content = "";
  let finishReason: ChatFinishReason | undefined;
  let usage: ChatCompletion["usage"] | undefined;
  for await (const bytes of stream) {
    for (const chunk of events.push(bytes).map(parseChunk)) {
      if (!chunk?.id || !chunk.created || !chunk.model) continue;
      completion ??= {
        id: chunk.id,
        object: "chat.completion",
        created: chunk.created,
        model: chunk.model,
      };
      const choice = chunk.choices?.[0];
      content += choice?.delta?.content ?? "";
      finishReason = choice?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
  }
  if (!completion || !finishReason || !usage) {
    throw new ApiError(502, "the GPU node stopped before finishing the answer", "node_error");
  }
  const message = { role: "assistant" as const, content };
  return { ...completion, choices: [{ index: 0, message, finish_reason: finishReason }], usage };
}
