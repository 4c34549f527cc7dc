/**
 * Every problem the GGUF codec reports is a GgufError with a stable `code`, so callers can tell
 * a corrupt file from a programming mistake without parsing messages.
 */
export type GgufErrorCode =
  /** The file does not start with the ASCII bytes "GGUF". */
  | "bad-magic"
  /** A GGUF version other than 2 or 3, or a big-endian file. */
  | "unsupported-version"
  /** The input ends before the header (metadata, tensor infos, padding) does. */
  | "truncated"
  /** A metadata value type id that GGUF does not define. */
  | "unknown-value-type"
  /** A ggml tensor type id that ggml does not define. */
  | "unknown-tensor-type"
  /** A tensor whose data would lie (partly) outside the file. */
  | "tensor-out-of-bounds"
  /** Structurally invalid content: duplicate keys, nested arrays, bad UTF-8, misalignment... */
  | "malformed"
  /** The tensor's type is valid but this codec cannot decode or encode its values. */
  | "unsupported-tensor-type"
  | "tensor-not-found"
  | "missing-key"
  | "wrong-type"
  /** The writer was handed something it cannot represent. */
  | "invalid-input";

export class GgufError extends Error {
  override readonly name = "GgufError";

  constructor(
    readonly code: GgufErrorCode,
    message: string,
  ) {
    super(message);
  }
}
