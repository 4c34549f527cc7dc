// The JSON bodies a node reads (completions, extractions) are at most MAX_JSON_BODY_BYTES: past it
// the node answers 413 without reading on. Counted here as the edge sends a body (JSON.stringify,
// in UTF-8), so that the edge can tell before it accepts work a node would have to read.
import { MAX_JSON_BODY_BYTES } from "../limits.ts";

export interface JsonBodySize {
  bytes: number;
  /** Whether a node reads a body this large. */
  fits: boolean;
}

/** The bytes `body` makes as the JSON sent to a node, and whether a node reads that many. */
export function jsonBodySize(body: unknown): JsonBodySize {
  const bytes = new TextEncoder().encode(JSON.stringify(body)).length;
  return { bytes, fits: bytes <= MAX_JSON_BODY_BYTES };
}
