// A GPU node's load, as it reports it on every answer (LOAD_HEADER) and in /readyz's body: what the
// edge routes by. The vectors it holds are a count and a Bloom filter of their ids (256 bits, three
// bits an id, taken from the id itself, a sha256), so that the header stays under 100 bytes however
// many vectors a node holds, and the edge can still ask "does it hold this one?": a filter never
// says no to a vector it holds, and says yes to one it lacks rarely while it holds a few dozen
// (about 9% at 50; a wrong yes costs an upload, as routing blind would).
import { z } from "zod";

const FILTER_BYTES = 32;
const BITS_PER_ID = 3;

export const nodeLoadSchema = z
  .object({
    free_sequences: z.number().int().min(0).describe("Sequence slots free for a new generation"),
    queue_depth: z.number().int().min(0).describe("Generations waiting for a slot"),
    vectors: z.object({
      count: z.number().int().min(0).describe("Control vectors the node holds"),
      filter: z
        .string()
        .regex(/^[A-Za-z0-9_-]{43}$/)
        .describe("A Bloom filter of their ids: 256 bits, base64url"),
    }),
  })
  .describe("The node's load as it answered");
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

/** The filter of `ids` (vector ids: 64 lowercase hex digits). */
export function vectorFilter(ids: Iterable<string>): string {
  const bits = new Uint8Array(FILTER_BYTES);
  for (const id of ids) {
    for (const bit of bitsOf(id)) bits[bit >> 3] = (bits[bit >> 3] ?? 0) | (1 << (bit & 7));
  }
  return base64url(bits);
}

/** Whether the filter may hold `id`: false means it surely does not. */
export function filterHolds(filter: string, id: string): boolean {
  const bits = fromBase64url(filter);
  if (bits.length !== FILTER_BYTES) return false;
  return bitsOf(id).every((bit) => ((bits[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0);
}

/** LOAD_HEADER's value. */
export function formatLoad(load: NodeLoad): string {
  const { free_sequences, queue_depth, vectors } = load;
  return `free=${free_sequences}, queued=${queue_depth}, vectors=${vectors.count}, filter=${vectors.filter}`;
}

/** LOAD_HEADER's value read back; null when absent or malformed (a node of an older contract). */
export function parseLoad(value: string | null): NodeLoad | null {
  const match = value?.match(
    /^free=(\d+), queued=(\d+), vectors=(\d+), filter=([A-Za-z0-9_-]{43})$/,
  );
  if (!match) return null;
  const [, free, queued, count, filter] = match;
  return {
    free_sequences: Number(free),
    queue_depth: Number(queued),
    vectors: { count: Number(count), filter: filter as string },
  };
}

/** An id's bits: its first bytes, each a position among the 256. */
function bitsOf(id: string): number[] {
  return Array.from(
    { length: BITS_PER_ID },
    (_, i) => Number.parseInt(id.slice(2 * i, 2 * i + 2), 16) || 0,
  );
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array();
  }
}
