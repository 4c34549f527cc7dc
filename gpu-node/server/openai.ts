// What the OpenAI-style generation routes (chat and legacy completions) share: starting the
// engine's generation (its errors naming the request's fields), the contract's headers (the model
// alias, the generation id, metering), metrics and log fields, finish reasons, usage, and the SSE
// loop.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { z } from "zod";
import type { chatRoute, NodeChatRequest } from "../../shared/node-api/generation.ts";
import {
  GENERATION_ID_HEADER,
  METERING_HEADER,
  MODEL_ALIAS_HEADER,
  PROMPT_TOKENS_HEADER,
} from "../../shared/node-api/headers.ts";
import type { ChatFinishReason, CompletionUsage } from "../../shared/openai/chat.ts";
import { collectCompletion } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import type { GenerationEvent, Usage } from "../engine/generation.ts";
import type { AppContext } from "./app.ts";
import type { EngineRequest } from "./engine-request.ts";
import { fromEngineError } from "./errors.ts";
import { GenerationLog } from "./request-log.ts";

/** The headers a generation request may carry (both routes take the same). */
export type GenerationHeaders = z.output<typeof chatRoute.request.headers>;

/** What decides how a generation is answered: its streaming, and what it steers by. */
type AnswerFields = Pick<NodeChatRequest, "stream" | "stream_options" | "steering">;

/**
 * How a stream reports its usage: as stream_options.include_usage asks (OpenAI's way: `usage: null`
 * in every chunk, then a chunk of its own with the usage), in that last chunk alone
 * (METERING_HEADER), or not at all.
 */
export type StreamUsage = "every-chunk" | "last-chunk" | "none";

export interface StartedGeneration {
  events: AsyncIterable<GenerationEvent>;
  abort: AbortController;
  /** The model the answer names: the alias its sender gave, else the node's own id. */
  model: string;
  streamUsage: StreamUsage;
  /** The answer's steering_report: none when the request did not steer. */
  reportOf: EngineRequest["reportOf"];
}

/**
 * Starts a request's generation: cancelled when its client goes away, when `abort` fires or when
 * its sender cancels it by its id (GENERATION_ID_HEADER), its tokens counted in the metrics and
 * its request's log line as they come. An engine error names the request's field.
 */
export function startGeneration(
  context: AppContext,
  c: Context,
  request: AnswerFields,
  headers: GenerationHeaders,
  { options, fieldOf, reportOf }: EngineRequest,
): StartedGeneration {
  const abort = new AbortController();
  const signal = AbortSignal.any([abort.signal, c.req.raw.signal]);
  const events = generate(context, { ...options, signal }, fieldOf);
  // A stream cut short never gets to its usage chunk: the edge meters it by this and what came.
  if (request.stream) c.header(PROMPT_TOKENS_HEADER, String(events.promptTokens));
  const log = new GenerationLog(request.stream === true, request.steering ?? {});
  c.set("generation", log);
  const generationId = headers[GENERATION_ID_HEADER];
  const forget = generationId ? context.generations.add(generationId, abort) : () => {};
  return {
    events: counted(events, context.metrics, log, forget),
    abort,
    model: headers[MODEL_ALIAS_HEADER] ?? context.modelId,
    streamUsage: streamUsage(request, headers),
    reportOf,
  };
}

function generate(
  { engine }: AppContext,
  options: EngineRequest["options"],
  fieldOf: EngineRequest["fieldOf"],
) {
  try {
    return engine.generate(options);
  } catch (error) {
    throw error instanceof EngineError ? fromEngineError(error, fieldOf) : error;
  }
}

function streamUsage(request: AnswerFields, headers: GenerationHeaders): StreamUsage {
  if (request.stream_options?.include_usage) return "every-chunk";
  if (headers[METERING_HEADER] === "1") return "last-chunk";
  return "none";
}

async function* counted(
  events: AsyncIterable<GenerationEvent>,
  metrics: AppContext["metrics"],
  log: GenerationLog,
  ended: () => void,
): AsyncGenerator<GenerationEvent> {
  try {
    for await (const event of events) {
      if (event.type === "text") {
        metrics.generated(event.tokens.length);
        log.completionTokens += event.tokens.length;
      } else {
        // Tokens no text carried (a stop sequence's, dropped) were generated all the same.
        metrics.generated(event.usage.completionTokens - log.completionTokens);
        if (event.finishReason !== "cancelled") metrics.completed(event.usage);
        log.promptTokens = event.usage.promptTokens;
        log.completionTokens = event.usage.completionTokens;
        log.finishReason = event.finishReason;
      }
      yield event;
    }
  } finally {
    log.end();
    ended();
  }
}

/** A cancelled generation's client is gone (or the node is stopping): "stop" is what is left. */
function finishReason(reason: "stop" | "length" | "cancelled"): ChatFinishReason {
  return reason === "length" ? "length" : "stop";
}

function openAiUsage(usage: Usage): CompletionUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

/**
 * A generation's whole answer, in the fields both routes answer with alike: its text, finish
 * reason, usage, and (when it steered) its steering report.
 */
export async function wholeAnswer({ events, reportOf }: StartedGeneration) {
  const { text, finishReason: reason, usage, steering } = await collectCompletion(events);
  const report = reportOf(steering);
  return {
    text,
    finish_reason: finishReason(reason),
    usage: openAiUsage(usage),
    ...(report ? { steering_report: report } : {}),
  };
}

/** A route's chunks, without `usage` and `steering_report`: streamEvents adds them. */
export interface SseChunks {
  /** Sent before any text (chat's role chunk), if any. */
  start?: () => object;
  text: (text: string) => object;
  finish: (reason: ChatFinishReason) => object;
  /** The chunk the usage goes in: no choices. */
  usage: () => object;
}

/**
 * Streams a generation's events as server-sent events ending with [DONE]; a client that goes away
 * aborts the generation. One its sender cancels by id still reads: it ends at once, finish and
 * usage included, as a whole answer does.
 */
export function streamEvents(
  c: Context,
  { events, abort, streamUsage, reportOf }: StartedGeneration,
  chunks: SseChunks,
): Response {
  return streamSSE(c, async (stream) => {
    let clientGone = false;
    stream.onAbort(() => {
      clientGone = true;
      abort.abort();
    });
    const send = (chunk: object, usage: CompletionUsage | null = null) => {
      const data = usage || streamUsage === "every-chunk" ? { ...chunk, usage } : chunk;
      return stream.writeSSE({ data: JSON.stringify(data) });
    };
    if (chunks.start) await send(chunks.start());
    for await (const event of events) {
      if (event.type === "text") {
        await send(chunks.text(event.text));
        continue;
      }
      if (event.finishReason === "cancelled" && clientGone) return;
      // The steering report goes with the finish: the last chunk every client gets.
      const report = reportOf(event.steering);
      const finish = chunks.finish(finishReason(event.finishReason));
      await send(report ? { ...finish, steering_report: report } : finish);
      if (streamUsage !== "none") await send(chunks.usage(), openAiUsage(event.usage));
    }
    await stream.writeSSE({ data: "[DONE]" });
  });
}
