// Sending a generation on to a GPU node (nodes/generation.ts) and metering what it makes (meter.ts:
// its tokens reserved in the account's minute before it is sent, settled after): a stream
// as it passes (the node always ends it with its usage chunk; one its node cuts short ends with an
// error event and is metered for what came), a whole answer when it comes. A whole answer its node
// cuts short has sent nothing yet (a node sends a whole answer's text and usage together), so the
// pool sends it on to another node; with none, it is a 503 and is not metered (asking the node for
// a stream instead, to meter the part made, cost every whole answer 5 to 8 ms at p50 under load:
// bench/RESULTS.md). So is a stream whose node fails before its first byte (generateStream). Each
// generation that made tokens counts in its node's completions_served. Answers name the model
// the client named (the node echoes it), and a steered answer's steering report names what the
// request named (the node names vectors: resolved-steering.ts). A client that leaves midway stops the generation (its
// stream is cancelled; a whole answer's is cancelled by id) and is metered for what was made.
// Workers learn that a client left from request.signal (wrangler.toml's enable_request_signal);
// locally, under wrangler dev or Miniflare, the signal does not reach the Worker through their
// entry workers, so there a generation whose client left runs to its end, and is metered whole.
import type { Context } from "hono";
import type { NodeChatRequest } from "../../../shared/node-api/generation.ts";
import {
  GENERATION_ID_HEADER,
  METERING_HEADER,
  MODEL_ALIAS_HEADER,
  REQUEST_ID_HEADER,
} from "../../../shared/node-api/headers.ts";
import { type ChatCompletion, chatCompletionSchema } from "../../../shared/openai/chat.ts";
import type { EdgeEnv } from "../env.ts";
import { database } from "../lib/db.ts";
import { cancelGeneration, generate, generateStream } from "../nodes/generation.ts";
import { type FieldOf, type NodePool, readReply } from "../nodes/pool.ts";
import { countServed } from "../nodes/registry.ts";
import { type Measured, meter, reserveFor } from "./meter.ts";
import { meteredStream } from "./metered-stream.ts";
import { type ResolvedSteering, requestReport } from "./resolved-steering.ts";
import type { Target } from "./target.ts";

/** The node's stream, passed on and metered under the target's name. `body.steering` is
 * `steering`'s, for the node. */
export async function streamChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  target: Target,
  body: NodeChatRequest,
  fieldOf: FieldOf,
  steering: ResolvedSteering | undefined,
): Promise<Response> {
  const clientAsked = body.stream_options?.include_usage === true;
  const headers = nodeHeaders(c, target);
  // Metered by the usage chunk, which the node sends last either way; the client sees it only
  // when it asked, and then every chunk carries OpenAI's usage: null as well.
  if (!clientAsked) headers[METERING_HEADER] = "1";
  const request = { baseModel: target.baseModel, body: { ...body, stream: true } };
  const reservation = await reserveFor(c, body);
  const answered = generateStream(pool, c.env.VECTORS, request, headers, fieldOf).then(
    ({ node, response }) => ({
      node,
      response,
      ...meteredStream(response, {
        passUsageChunk: clientAsked,
        report: steering && ((node) => requestReport(steering, node)),
      }),
    }),
  );
  // A stream no node answered used nothing: its reservation is given back whole.
  meter(
    c,
    target.model,
    answered.then(({ measured }) => measured),
    { reservation },
  );
  const { node, stream, response, measured } = await answered;
  served(c, node, measured);
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
  body: NodeChatRequest,
  fieldOf: FieldOf,
  steering: ResolvedSteering | undefined,
): Promise<ChatCompletion> {
  const generationId = crypto.randomUUID();
  const client = c.req.raw.signal;
  const stop = () => c.executionCtx.waitUntil(cancelGeneration(pool, generationId));
  // Listened for before anything is awaited, so that a client leaving meanwhile is heard.
  client.addEventListener("abort", stop);
  const reserved = reserveFor(c, body);
  const answer = (async () => {
    try {
      await reserved;
      const headers = { ...nodeHeaders(c, target), [GENERATION_ID_HEADER]: generationId };
      const request = { baseModel: target.baseModel, body: { ...body, stream: false } };
      const { node, response } = await generate(pool, c.env.VECTORS, request, headers, fieldOf);
      const { steering_report, ...completion } = await readReply(response, chatCompletionSchema);
      served(c, node, { completionTokens: completion.usage.completion_tokens });
      const report = steering && requestReport(steering, steering_report);
      return report ? { ...completion, steering_report: report } : completion;
    } finally {
      client.removeEventListener("abort", stop);
    }
  })();
  // An answer that never came (its node died, say) used nothing: its reservation is given back; one
  // refused its tokens (a 429) reserved none.
  meter(
    c,
    target.model,
    answer.then((completion) => ({
      promptTokens: completion.usage.prompt_tokens,
      completionTokens: completion.usage.completion_tokens,
      outcome: client.aborted ? "cancelled" : "completed",
      finishReason: completion.choices[0]?.finish_reason,
      steeringReport: "steering_report" in completion ? completion.steering_report : null,
    })),
    { reservation: reserved },
  );
  c.executionCtx.waitUntil(answer.catch(() => undefined));
  return answer;
}

/** Counts the generation in its node's completions_served, once it is over, if it made tokens. */
function served(
  c: Context<EdgeEnv>,
  node: string,
  measured: Pick<Measured, "completionTokens"> | Promise<Pick<Measured, "completionTokens">>,
): void {
  const counting = Promise.resolve(measured).then(async (tokens) => {
    if (tokens.completionTokens > 0) await countServed(database(c.env.DB), node);
  });
  c.executionCtx.waitUntil(counting.catch((error) => console.error("counting failed", error)));
}

/** The node logs the request under the edge's id, and names the model as the client did. */
function nodeHeaders(c: Context<EdgeEnv>, target: Target): Record<string, string> {
  return { [REQUEST_ID_HEADER]: c.get("requestId"), [MODEL_ALIAS_HEADER]: target.model };
}
