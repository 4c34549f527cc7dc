// A node's SSE stream passed on to the client as it comes, read on the way for metering: the usage
// chunk at its end (asked of the node always, passed on only when the client asked too), or, when
// the stream ends early (the client cancels, the node fails), the content chunks seen so far as
// the completion's tokens and the prompt's size from the node's header.
import type { ChatCompletionChunk, CompletionUsage } from "../../../shared/openai/chat.ts";
import type { Measured } from "./meter.ts";
import { parseChunk, SseEvents } from "./sse.ts";

export interface MeteredStream {
  stream: ReadableStream<Uint8Array>;
  /** Settles when the stream is over, however it ended. */
  measured: Promise<Measured>;
}

export function meteredStream(
  body: ReadableStream<Uint8Array>,
  options: { promptTokens: number; passUsageChunk: boolean },
): MeteredStream {
  const reader = body.getReader();
  const events = new SseEvents();
  const tally = new Tally(options.promptTokens);
  let settle: (measured: Measured) => void = () => {};
  const measured = new Promise<Measured>((resolve) => {
    settle = resolve;
  });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    // Reads until it has something to pass on: workerd does not pull again after a pull that
    // enqueued nothing (a dropped usage chunk, half an event).
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          const passed = done ? events.rest() : events.push(value);
          const kept = passed.filter((event) => {
            const chunk = tally.see(event);
            return options.passUsageChunk || !isUsageOnly(chunk);
          });
          if (kept.length > 0) controller.enqueue(encoder.encode(kept.join("")));
          if (done) {
            controller.close();
            settle(tally.measured(tally.usage ? "completed" : "failed"));
            return;
          }
          if (kept.length > 0) return;
        }
      } catch (error) {
        settle(tally.measured("failed"));
        controller.error(error);
      }
    },
    async cancel(reason) {
      settle(tally.measured("cancelled"));
      await reader.cancel(reason);
    },
  });
  return { stream, measured };
}

/** Counts what passes: the final usage when it comes, content chunks until then. */
class Tally {
  usage: CompletionUsage | null = null;
  private contentChunks = 0;

  constructor(private readonly promptTokens: number) {}

  /** Reads one event; answers its chunk ("done" for [DONE]). An event outside the node's
   * contract ends the stream as failed. */
  see(event: string): ChatCompletionChunk | "done" {
    const chunk = parseChunk(event);
    if (chunk === null) throw new Error("the GPU node's stream broke its contract");
    if (chunk === "done") return chunk;
    if (chunk.usage) this.usage = chunk.usage;
    if (chunk.choices.some((choice) => choice.delta.content)) this.contentChunks++;
    return chunk;
  }

  /** A chunk's text comes from one or more tokens: chunks seen are a floor on tokens made. */
  measured(outcome: Measured["outcome"]): Measured {
    if (this.usage) {
      return {
        promptTokens: this.usage.prompt_tokens,
        completionTokens: this.usage.completion_tokens,
        outcome,
      };
    }
    return { promptTokens: this.promptTokens, completionTokens: this.contentChunks, outcome };
  }
}

/** The chunk that ends a metered stream: usage, and no choices. */
function isUsageOnly(chunk: ChatCompletionChunk | "done"): boolean {
  return chunk !== "done" && Boolean(chunk.usage) && chunk.choices.length === 0;
}
