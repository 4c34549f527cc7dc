/**
 * A growable little-endian byte buffer for the GGUF header (metadata and tensor infos).
 * Tensor data does not go through it: the writer streams that separately.
 */
const utf8 = new TextEncoder();

export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  /** Makes room for `byteCount` more bytes and returns the DataView offset to write them at. */
  reserve(byteCount: number): { view: DataView; offset: number } {
    const offset = this.length;
    this.ensureCapacity(offset + byteCount);
    this.length += byteCount;
    return { view: this.view, offset };
  }

  uint32(value: number): void {
    const { view, offset } = this.reserve(4);
    view.setUint32(offset, value, true);
  }

  uint64(value: number): void {
    const { view, offset } = this.reserve(8);
    view.setBigUint64(offset, BigInt(value), true);
  }

  string(value: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit; write in place, then record the length.
    const lengthAt = this.reserve(8).offset;
    this.ensureCapacity(this.length + value.length * 3);
    const { written } = utf8.encodeInto(value, this.buffer.subarray(this.length));
    this.length += written;
    this.view.setBigUint64(lengthAt, BigInt(written), true);
  }

  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding); // the buffer is zero-filled, so reserving pads with zeros
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private ensureCapacity(capacity: number): void {
    if (capacity <= this.buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(capacity, this.buffer.byteLength * 2));
    grown.set(this.bytes());
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
