// Server-sent events as the GPU node sends them: bytes split into whole events, and an event's
// chunk read back against the node's contract, or rewritten as it passes; and the error event that
// ends a broken stream.
import type { ApiError } from "../../../shared/http/api-error.ts";
import {
  type ChatCompletionChunk,
  chatCompletionChunkSchema,
} from "../../../shared/openai/chat.ts";

/** Splits bytes into whole SSE events, each with its blank-line terminator, text as it came. */
export class SseEvents {
  private readonly decoder = new TextDecoder();
  private pending = "";

  push(bytes: Uint8Array): string[] {
    this.pending += this.decoder.decode(bytes, { stream: true });
    const parts = this.pending.split("\n\n");
    this.pending = parts.pop() ?? "";
    return parts.map((part) => `${part}\n\n`);
  }
}

/** An event's chunk; "done" for the closing [DONE]; null for anything the contract does not know. */
export function parseChunk(event: string): ChatCompletionChunk | "done" | null {
  const data = dataOf(event);
  if (data === "[DONE]") return "done";
  try {
    const parsed = chatCompletionChunkSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The event (one parseChunk read) with its chunk's `field` set to `value`, the rest as it came;
 * an undefined value leaves the field out. */
export function withChunkField(event: string, field: string, value: unknown): string {
  const chunk = JSON.parse(dataOf(event)) as Record<string, unknown>;
  return `data: ${JSON.stringify({ ...chunk, [field]: value })}\n\n`;
}

function dataOf(event: string): string {
  return event
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart())
    .join("\n");
}

/** An error as the last event of a stream, as OpenAI sends it: its data is the error body. */
export function errorEvent(error: ApiError): string {
  return `data: ${JSON.stringify(error.body())}\n\n`;
}
