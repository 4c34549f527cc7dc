// What the OpenAI-style generation routes (chat and legacy completions) share: body parsing,
// steering, sampling fields to engine options, metrics and log fields, finish reasons, usage, and
// the SSE loop.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { z } from "zod";
import type {
  ChatCompletionRequest,
  ChatFinishReason,
  CompletionUsage,
} from "../../shared/api/chat.ts";
import { GENERATION_ID_HEADER, PROMPT_TOKENS_HEADER } from "../../shared/api/headers.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import { parseJsonBody } from "../../shared/http/json-body.ts";
import type { GenerateOptions, GenerationEvent, Usage } from "../engine/generation.ts";
import type { Steering } from "../engine/steering.ts";
import type { AppContext } from "./app.ts";
import { GenerationLog } from "./request-log.ts";

/** The sampling fields both request kinds carry. */
export type SamplingFields = Pick<
  ChatCompletionRequest,
  | "max_tokens"
  | "temperature"
  | "top_p"
  | "top_k"
  | "min_p"
  | "repetition_penalty"
  | "seed"
  | "stop"
  | "steering"
  | "stream"
  | "stream_options"
>;

/** The body, read and checked against `schema`. */
export async function parseBody<S extends z.ZodType<SamplingFields>>(
  request: Request,
  schema: S,
): Promise<z.infer<S>> {
  const body = await parseJsonBody(request, schema);
  if (body.stream_options && !body.stream) {
    throw new ApiError(
      400,
      "stream_options is only allowed with stream: true",
      "invalid_request",
      "stream_options",
    );
  }
  return body;
}

/** Each reference, a vector id or a preset name, to its vector; an unknown one is a 404. */
function resolveSteering({ store, presets }: AppContext, r: SamplingFields): Steering {
  return Object.entries(r.steering ?? {}).map(([ref, multiplier]) => {
    const param = `steering.${ref}`;
    return { vector: store.vector(presets.resolve(ref, param), param), multiplier };
  });
}

/**
 * Starts a request's generation: its steering resolved, cancelled when its client goes away, when
 * `abort` fires or when its sender cancels it by its id (GENERATION_ID_HEADER), its tokens counted
 * in the metrics and its request's log line as they come.
 */
export function startGeneration(
  context: AppContext,
  c: Context,
  r: SamplingFields,
  options: GenerateOptions,
): { events: AsyncIterable<GenerationEvent>; abort: AbortController } {
  const steering = resolveSteering(context, r);
  const abort = new AbortController();
  const events = context.engine.generate({
    ...options,
    steering,
    signal: AbortSignal.any([abort.signal, c.req.raw.signal]),
  });
  // A stream cut short never gets to its usage chunk: the edge meters it by this and what came.
  if (r.stream) c.header(PROMPT_TOKENS_HEADER, String(events.promptTokens));
  const log = new GenerationLog(r.stream === true, r.steering ?? {});
  c.set("generation", log);
  const generationId = c.req.header(GENERATION_ID_HEADER);
  const forget = generationId ? context.generations.add(generationId, abort) : () => {};
  return { events: counted(events, context.metrics, log, forget), abort };
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

/** The engine options of a request, less its prompt. */
export function generationOptions(
  r: SamplingFields,
  maxTokens: number | null | undefined,
): Omit<GenerateOptions, "prompt" | "messages"> {
  const stop = r.stop ?? undefined;
  return {
    maxNewTokens: maxTokens ?? undefined,
    sampling: {
      temperature: r.temperature ?? undefined,
      topP: r.top_p ?? undefined,
      topK: r.top_k ?? undefined,
      minP: r.min_p ?? undefined,
      repetitionPenalty: r.repetition_penalty ?? undefined,
      seed: r.seed ?? undefined,
    },
    stop: typeof stop === "string" ? [stop] : stop,
  };
}

/** A cancelled generation's client is gone (or the node is stopping): "stop" is what is left. */
export function finishReason(reason: "stop" | "length" | "cancelled"): ChatFinishReason {
  return reason === "length" ? "length" : "stop";
}

export function openAiUsage(usage: Usage): CompletionUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

export interface SseChunks {
  /** Sent before any text (chat's role chunk), if any. */
  start?: () => unknown;
  text: (text: string) => unknown;
  finish: (reason: ChatFinishReason) => unknown;
  /** The usage chunk, sent last when the request asked for it. */
  usage?: (usage: CompletionUsage) => unknown;
}

/** Streams a generation's events as server-sent events ending with [DONE]; a client that goes
 * away aborts the generation through `abort`. */
export function streamEvents(
  c: Context,
  events: AsyncIterable<GenerationEvent>,
  abort: AbortController,
  chunks: SseChunks,
): Response {
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => abort.abort());
    const send = (chunk: unknown) => stream.writeSSE({ data: JSON.stringify(chunk) });
    if (chunks.start) await send(chunks.start());
    for await (const event of events) {
      if (event.type === "text") {
        await send(chunks.text(event.text));
        continue;
      }
      if (event.finishReason === "cancelled" && abort.signal.aborted) return;
      await send(chunks.finish(finishReason(event.finishReason)));
      if (chunks.usage) await send(chunks.usage(openAiUsage(event.usage)));
    }
    await stream.writeSSE({ data: "[DONE]" });
  });
}
