// A chat completion for a client that did not ask to stream, put together from the node's stream:
// the edge always asks the node to stream, so that a client who leaves stops the generation (the
// stream is cancelled, and the node stops at its next token) and is metered for what was made.
// Workers learn that a client left from request.signal (wrangler.toml's enable_request_signal).
// Locally, under wrangler dev or Miniflare, the signal does not reach the Worker through their
// entry workers: there the generation runs to its end, and is metered whole.
import type { ChatCompletion, ChatFinishReason } from "../../../shared/api/chat.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Measured } from "./meter.ts";
import { Tally } from "./metered-stream.ts";
import { type Chunk, SseEvents } from "./sse.ts";

/** Gathers a stream's chunks into the completion the node would have answered unstreamed. */
export class WholeCompletion {
  private first: Chunk | null = null;
  private content = "";
  private finishReason: ChatFinishReason | null = null;
  private usage: ChatCompletion["usage"] | null = null;

  add(chunk: Chunk): void {
    this.first ??= chunk;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      this.content += choice.delta?.content ?? "";
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
  }

  /** The completion; a stream that ended before its usage chunk is the node failing midway. */
  completion(): ChatCompletion {
    const { first, usage, finishReason } = this;
    if (!first?.id || !first.created || !first.model || !usage || !finishReason) {
      throw new ApiError(502, "the GPU node stopped before the answer was whole", "node_error");
    }
    return {
      id: first.id,
      object: "chat.completion",
      created: first.created,
      model: first.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: this.content },
          finish_reason: finishReason,
        },
      ],
      usage,
    };
  }
}

/**
 * Reads the node's stream `body` into a whole completion, metered as it goes (`measured`, which
 * settles however the read ends). When `signal` aborts (the client left) the stream is cancelled,
 * which stops the generation.
 */
export function readWhole(
  body: ReadableStream<Uint8Array>,
  promptTokens: number,
  signal: AbortSignal,
): { completion: Promise<ChatCompletion>; measured: Promise<Measured> } {
  const reader = body.getReader();
  const tally = new Tally(promptTokens);
  let left = false;
  const leave = () => {
    left = true;
    void reader.cancel("the client left").catch(() => undefined);
  };
  const read = (async () => {
    if (signal.aborted) leave();
    signal.addEventListener("abort", leave);
    const events = new SseEvents();
    const whole = new WholeCompletion();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        for (const event of done ? events.rest() : events.push(value)) {
          const chunk = tally.see(event);
          if (chunk) whole.add(chunk);
        }
        if (done) return whole;
      }
    } finally {
      signal.removeEventListener("abort", leave);
    }
  })();
  const measured = read.then(
    () => tally.measured(left ? "cancelled" : tally.usage ? "completed" : "failed"),
    () => tally.measured(left ? "cancelled" : "failed"),
  );
  const completion = read.then(
    (whole) => whole.completion(),
    () => {
      throw new ApiError(502, "the GPU node failed midway through the answer", "node_error");
    },
  );
  return { completion, measured };
}
