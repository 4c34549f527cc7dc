// Server-sent events as the GPU node sends them: bytes split into whole events, and an event's JSON
// chunk read back.
import type { ChatCompletionChunk } from "../../../shared/api/chat.ts";

/** A chat chunk, or the fields of a text completion chunk that matter here. */
export type Chunk = Partial<Omit<ChatCompletionChunk, "choices">> & {
  choices?: (Partial<ChatCompletionChunk["choices"][number]> & { text?: string })[];
};

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

  /** What is left when the stream ends (nothing, from a node that finished its last event). */
  rest(): string[] {
    const rest = this.pending + this.decoder.decode();
    this.pending = "";
    return rest ? [rest] : [];
  }
}

/** An event's JSON chunk; null for [DONE] or anything not JSON. */
export function parseChunk(event: string): Chunk | null {
  const data = event
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart())
    .join("\n");
  if (!data.startsWith("{")) return null;
  try {
    return JSON.parse(data) as Chunk;
  } catch {
    return null;
  }
}
