// A node's SSE stream passed on to the client as it comes, metered on the way (node-stream.ts): the
// usage chunk at its end is passed on only when the client asked for it, and the steering report
// in the chunk with the finish_reason is named as the request named its terms (the node names
// vectors), and metered with it. A stream the node cut short must not look finished to the client:
// it ends with an error event, as OpenAI's do, which OpenAI's clients raise.
import type { ChatCompletionChunk } from "../../../shared/openai/chat.ts";
import type { SteeringReport } from "../../../shared/steering/conditions.ts";
import type { Measured } from "./meter.ts";
import { cutShort, type NodeEvent, NodeStream } from "./node-stream.ts";
import { errorEvent, withChunkField } from "./sse.ts";

export interface MeteredStream {
  stream: ReadableStream<Uint8Array>;
  /** Settles when the stream is over, however it ended. */
  measured: Promise<Measured>;
}

export interface MeteredStreamOptions {
  passUsageChunk: boolean;
  /** The request's report of the node's, for a steered request (none: the answer has none). */
  report?: (node: SteeringReport | undefined) => SteeringReport;
}

export function meteredStream(response: Response, options: MeteredStreamOptions): MeteredStream {
  const node = new NodeStream(response);
  let reported: SteeringReport | null = null;
  let settleWith: (measured: Measured) => void = () => {};
  const measured = new Promise<Measured>((resolve) => {
    settleWith = resolve;
  });
  const settle = (tokens: Measured) => settleWith({ ...tokens, steeringReport: reported });
  const passed = ({ chunk }: NodeEvent) => options.passUsageChunk || !isUsageOnly(chunk);
  /** The finishing chunk carries the report, named as the request named its terms. */
  const named = ({ text, chunk }: NodeEvent): string => {
    if (chunk === "done" || !chunk.choices.some((choice) => choice.finish_reason)) return text;
    if (!options.report) {
      return chunk.steering_report ? withChunkField(text, "steering_report", undefined) : text;
    }
    reported = options.report(chunk.steering_report);
    return withChunkField(text, "steering_report", reported);
  };
  const encoder = new TextEncoder();
  let clientLeft = false;
  const stream = new ReadableStream<Uint8Array>({
    // Reads until it has something to pass on: workerd does not pull again after a pull that
    // enqueued nothing (a dropped usage chunk, half an event).
    async pull(controller) {
      try {
        for (;;) {
          const events = await node.read();
          if (events === null) {
            controller.close();
            settle(node.measured("completed"));
            return;
          }
          const kept = events.filter(passed).map(named);
          if (kept.length > 0) return controller.enqueue(encoder.encode(kept.join("")));
        }
      } catch (error) {
        // A client that left (its cancel ends the node's stream) is told nothing.
        if (clientLeft) return;
        controller.enqueue(encoder.encode(errorEvent(cutShort(error))));
        controller.close();
        settle(node.measured("failed"));
      }
    },
    async cancel(reason) {
      clientLeft = true;
      settle(node.measured("cancelled"));
      await node.cancel(reason);
    },
  });
  return { stream, measured };
}

/** The chunk that ends a metered stream: usage, and no choices. */
function isUsageOnly(chunk: ChatCompletionChunk | "done"): boolean {
  return chunk !== "done" && Boolean(chunk.usage) && chunk.choices.length === 0;
}
