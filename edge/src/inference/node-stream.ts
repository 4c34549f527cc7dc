// A GPU node's answer as server-sent events, read as it comes: each event's chunk checked against
// the node's contract, and what the stream held tallied for metering. The edge always asks for the
// usage chunk, which the node sends last (then [DONE]); a stream that ends before it, or breaks (its
// node died, an event outside the contract), was cut short, and is metered for what came: the
// prompt's size, from the node's header, and the content chunks seen.
import { ApiError } from "../../../shared/http/api-error.ts";
import { PROMPT_TOKENS_HEADER } from "../../../shared/node-api/headers.ts";
import type { ChatCompletionChunk, CompletionUsage } from "../../../shared/openai/chat.ts";
import type { Measured } from "./meter.ts";
import { parseChunk, SseEvents } from "./sse.ts";

export interface NodeEvent {
  /** The event as it came, its blank-line terminator included: what a stream passes on. */
  text: string;
  /** "done" for the closing [DONE]. */
  chunk: ChatCompletionChunk | "done";
}

export class NodeStream {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly events = new SseEvents();
  private readonly promptTokens: number;
  private usage: CompletionUsage | null = null;
  private finishReason: Measured["finishReason"] = null;
  private contentChunks = 0;

  constructor(response: Response) {
    this.reader = (response.body as ReadableStream<Uint8Array>).getReader();
    this.promptTokens = Number(response.headers.get(PROMPT_TOKENS_HEADER) ?? 0);
  }

  /**
   * The events the next bytes complete (none, when they hold half of one); null once the node has
   * ended its answer. Throws when the stream was cut short.
   */
  async read(): Promise<NodeEvent[] | null> {
    try {
      const { done, value } = await this.reader.read();
      if (done) {
        if (!this.usage) throw new Error("the stream ended before the answer did");
        return null;
      }
      return this.events.push(value).map((text) => ({ text, chunk: this.see(text) }));
    } catch (error) {
      // Nothing more is read from a stream cut short: a node still sending is told to stop.
      this.reader.cancel(error).catch(() => undefined);
      throw error;
    }
  }

  /** Stops reading: the node sees its client leave, and stops generating. */
  cancel(reason?: unknown): Promise<void> {
    return this.reader.cancel(reason);
  }

  /** What the stream held: its usage chunk's counts, or, cut short, what came before the cut. */
  measured(outcome: Measured["outcome"]): Measured {
    if (this.usage) {
      return {
        promptTokens: this.usage.prompt_tokens,
        completionTokens: this.usage.completion_tokens,
        outcome,
        finishReason: this.finishReason,
      };
    }
    // A chunk's text comes from one or more tokens: the chunks seen are a floor on tokens made.
    return { promptTokens: this.promptTokens, completionTokens: this.contentChunks, outcome };
  }

  private see(text: string): NodeEvent["chunk"] {
    const chunk = parseChunk(text);
    if (chunk === null) throw new Error("an event outside the GPU node's contract");
    if (chunk === "done") return chunk;
    if (chunk.usage) this.usage = chunk.usage;
    this.finishReason = chunk.choices[0]?.finish_reason ?? this.finishReason;
    if (chunk.choices.some((choice) => choice.delta.content)) this.contentChunks++;
    return chunk;
  }
}

/** What the client is told of a stream cut short, as its last event. */
export function cutShort(error: unknown): ApiError {
  const why = error instanceof Error ? error.message : String(error);
  const message = `the GPU node stopped before the answer was complete (${why}); retry`;
  return new ApiError(503, message, "answer_cut_short");
}
