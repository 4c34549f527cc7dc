/**
 * GGUF writing. `ggufChunks` yields the file as a sequence of modest byte chunks (the header, then
 * each tensor's data in pieces of at most 1 MiB, then its alignment padding), so a large model can
 * be streamed to a file without ever holding a second full copy of its weights.
 */
import { alignmentOf, alignUp } from "./alignment.ts";
import { ByteWriter } from "./byte-writer.ts";
import { GgufError } from "./errors.ts";
import { type CodecTensorType, GgmlType } from "./ggml-types.ts";
import { numberToHalf } from "./half.ts";
import { isNumericType, NUMERIC_ITEMS, writeNumericItem } from "./numeric-items.ts";
import { elementCount } from "./reader.ts";
import {
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_IDS,
  GGUF_VERSION,
  type GgufItemType,
  type GgufMetadata,
  type GgufValue,
} from "./types.ts";

export interface GgufTensorInput {
  name: string;
  /** ggml `ne`: the innermost (row) dimension first. */
  shape: readonly number[];
  /** Storage type; the values are given as float32 either way and converted when F16. */
  type: CodecTensorType;
  data: Float32Array;
}

export interface GgufDocument {
  metadata: GgufMetadata;
  tensors: readonly GgufTensorInput[];
}

/** ggml's GGML_MAX_NAME is 64 bytes including the terminating NUL. */
const MAX_TENSOR_NAME_BYTES = 63;
const MAX_DIMS = 4;
const CHUNK_BYTES = 1 << 20;

export function* ggufChunks(document: GgufDocument): Generator<Uint8Array> {
  const alignment = alignmentOf(document.metadata, "invalid-input");
  validateTensors(document.tensors);
  yield encodeHeader(document, alignment);
  for (const tensor of document.tensors) {
    yield* tensorDataChunks(tensor);
    const padding = alignUp(tensorByteLength(tensor), alignment) - tensorByteLength(tensor);
    if (padding > 0) yield new Uint8Array(padding);
  }
}

/** The whole file in one buffer: convenient for small files such as control vectors. */
export function encodeGguf(document: GgufDocument): Uint8Array {
  const chunks = [...ggufChunks(document)];
  const file = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    file.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return file;
}

const BYTES_PER_VALUE: Record<CodecTensorType, number> = { [GgmlType.F32]: 4, [GgmlType.F16]: 2 };

function tensorByteLength(tensor: GgufTensorInput): number {
  return tensor.data.length * BYTES_PER_VALUE[tensor.type];
}

function encodeHeader(document: GgufDocument, alignment: number): Uint8Array {
  const writer = new ByteWriter();
  const magic = writer.reserve(4);
  for (let i = 0; i < 4; i++) magic.view.setUint8(magic.offset + i, GGUF_MAGIC.charCodeAt(i));
  writer.uint32(GGUF_VERSION);
  writer.uint64(document.tensors.length);
  writer.uint64(document.metadata.size);

  for (const [key, value] of document.metadata) {
    if (key.length === 0) throw new GgufError("invalid-input", "metadata keys must not be empty");
    writer.string(key);
    writeValue(writer, key, value);
  }

  let dataOffset = 0;
  for (const tensor of document.tensors) {
    writer.string(tensor.name);
    writer.uint32(tensor.shape.length);
    for (const dim of tensor.shape) writer.uint64(dim);
    writer.uint32(tensor.type);
    writer.uint64(dataOffset);
    dataOffset += alignUp(tensorByteLength(tensor), alignment);
  }
  writer.padTo(alignment);
  return writer.bytes();
}

function writeValue(writer: ByteWriter, key: string, value: GgufValue): void {
  if (value.type !== "array") {
    writer.uint32(GGUF_VALUE_TYPE_IDS[value.type]);
    writeItem(writer, key, value.type, value.value);
    return;
  }
  writer.uint32(GGUF_VALUE_TYPE_IDS.array);
  writer.uint32(GGUF_VALUE_TYPE_IDS[value.itemType]);
  writer.uint64(value.value.length);
  for (const item of value.value) writeItem(writer, key, value.itemType, item);
}

function writeItem(writer: ByteWriter, key: string, type: GgufItemType, value: unknown): void {
  if (!itemFits(type, value)) {
    throw new GgufError(
      "invalid-input",
      `metadata "${key}": ${String(value)} is not a valid ${type}`,
    );
  }
  if (typeof value === "string") {
    writer.string(value);
  } else if (typeof value === "boolean") {
    const { view, offset } = writer.reserve(1);
    view.setUint8(offset, value ? 1 : 0);
  } else if (isNumericType(type) && (typeof value === "number" || typeof value === "bigint")) {
    const { view, offset } = writer.reserve(NUMERIC_ITEMS[type].byteSize);
    writeNumericItem(type, view, offset, value);
  }
}

/** Checks the JS type and, for integers, the range, since DataView setters would silently wrap. */
function itemFits(type: GgufItemType, value: unknown): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "bool") return typeof value === "boolean";
  const range = NUMERIC_ITEMS[type].range;
  if (type === "uint64" || type === "int64") {
    return (
      typeof value === "bigint" && range !== undefined && value >= range[0] && value <= range[1]
    );
  }
  if (typeof value !== "number") return false;
  if (range === undefined) return true;
  return Number.isInteger(value) && value >= (range[0] as number) && value <= (range[1] as number);
}

function validateTensors(tensors: readonly GgufTensorInput[]): void {
  const names = new Set<string>();
  for (const tensor of tensors) {
    const problem = tensorProblem(tensor);
    if (problem !== undefined) {
      throw new GgufError("invalid-input", `tensor "${tensor.name}": ${problem}`);
    }
    if (names.has(tensor.name))
      throw new GgufError("invalid-input", `duplicate tensor "${tensor.name}"`);
    names.add(tensor.name);
  }
}

function tensorProblem(tensor: GgufTensorInput): string | undefined {
  const nameBytes = new TextEncoder().encode(tensor.name).byteLength;
  if (nameBytes === 0 || nameBytes > MAX_TENSOR_NAME_BYTES) {
    return `name must be 1..${MAX_TENSOR_NAME_BYTES} UTF-8 bytes`;
  }
  if (tensor.type !== GgmlType.F32 && tensor.type !== GgmlType.F16) {
    return `type ${tensor.type} cannot be encoded (only F32 and F16)`;
  }
  if (tensor.shape.length === 0 || tensor.shape.length > MAX_DIMS) {
    return `shape must have 1..${MAX_DIMS} dimensions`;
  }
  if (!tensor.shape.every((dim) => Number.isSafeInteger(dim) && dim > 0)) {
    return `shape [${tensor.shape.join(", ")}] must be positive integers`;
  }
  if (elementCount(tensor.shape) !== tensor.data.length) {
    return `shape [${tensor.shape.join(", ")}] does not match ${tensor.data.length} values`;
  }
  return undefined;
}

function* tensorDataChunks(tensor: GgufTensorInput): Generator<Uint8Array> {
  const isHalf = tensor.type === GgmlType.F16;
  const bytesPerValue = BYTES_PER_VALUE[tensor.type];
  const valuesPerChunk = CHUNK_BYTES / bytesPerValue;
  for (let start = 0; start < tensor.data.length; start += valuesPerChunk) {
    const values = tensor.data.subarray(start, start + valuesPerChunk);
    const chunk = new Uint8Array(values.length * bytesPerValue);
    const view = new DataView(chunk.buffer);
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      if (isHalf) view.setUint16(i * 2, numberToHalf(value), true);
      else view.setFloat32(i * 4, value, true);
    }
    yield chunk;
  }
}
