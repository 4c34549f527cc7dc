import { GgufError, type GgufErrorCode } from "./errors.ts";
import { GGUF_ALIGNMENT_KEY, GGUF_DEFAULT_ALIGNMENT, type GgufMetadata } from "./types.ts";

/** The data alignment a file declares (general.alignment, a uint32 power of two) or 32. */
export function alignmentOf(metadata: GgufMetadata, errorCode: GgufErrorCode): number {
  const entry = metadata.get(GGUF_ALIGNMENT_KEY);
  if (entry === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (entry.type !== "uint32" || entry.value === 0 || (entry.value & (entry.value - 1)) !== 0) {
    throw new GgufError(
      errorCode,
      `${GGUF_ALIGNMENT_KEY} must be a uint32 power of two, got ${entry.type} ${String(entry.value)}`,
    );
  }
  return entry.value;
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}
