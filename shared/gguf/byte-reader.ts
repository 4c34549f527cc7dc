/**
 * A cursor over little-endian bytes that never reads past the end: every read checks the bounds
 * first and reports what it was reading, so a corrupt file fails with a clear GgufError.
 */
import { GgufError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export class ByteReader {
  readonly view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  /** Claims the next `byteCount` bytes and returns where they start. */
  take(byteCount: number, what: string): number {
    if (byteCount > this.remaining) {
      throw new GgufError(
        "truncated",
        `GGUF input ends while reading ${what}: needs ${byteCount} bytes at offset ${this.offset}, ` +
          `only ${this.remaining} left`,
      );
    }
    const start = this.offset;
    this.offset += byteCount;
    return start;
  }

  uint32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  /** A uint64 that must fit a JS number exactly (sizes, counts, offsets). */
  uint64AsNumber(what: string): number {
    const value = this.view.getBigUint64(this.take(8, what), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new GgufError("malformed", `GGUF ${what} is implausibly large (${value})`);
    }
    return Number(value);
  }

  /**
   * A count of items that each occupy at least `minItemBytes`: a count the remaining input cannot
   * possibly hold is reported as truncation before anything gets allocated for it.
   */
  count(what: string, minItemBytes: number): number {
    const count = this.uint64AsNumber(what);
    if (count * minItemBytes > this.remaining) {
      throw new GgufError(
        "truncated",
        `GGUF ${what} is ${count}, but only ${this.remaining} bytes remain at offset ${this.offset}`,
      );
    }
    return count;
  }

  string(what: string): string {
    const length = this.count(`${what} length`, 1);
    const start = this.take(length, what);
    try {
      return utf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      throw new GgufError("malformed", `GGUF ${what} at offset ${start} is not valid UTF-8`);
    }
  }
}
