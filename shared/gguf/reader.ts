/**
 * GGUF parsing. `parseGguf` validates the whole header and every tensor's placement up front, so
 * once it returns, reading any tensor cannot go out of bounds.
 *
 * Layout (little-endian): "GGUF", version u32, tensor count u64, metadata count u64,
 * metadata entries (key string, type u32, value), tensor infos (name string, n_dims u32,
 * ne u64[n_dims], ggml type u32, offset u64 relative to the data section), padding to the
 * alignment, then the data section. Strings are a u64 byte length followed by UTF-8.
 */
import { alignmentOf, alignUp } from "./alignment.ts";
import { ByteReader } from "./byte-reader.ts";
import { GgufError } from "./errors.ts";
import { GgmlType, ggmlTypeLayout } from "./ggml-types.ts";
import { halfToNumber } from "./half.ts";
import { isNumericType, NUMERIC_ITEMS, readNumericArray } from "./numeric-items.ts";
import {
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_IDS,
  type GgufArray,
  type GgufItemType,
  type GgufMetadata,
  type GgufNumericType,
  type GgufScalarValues,
  type GgufValue,
} from "./types.ts";

export interface GgufTensorInfo {
  name: string;
  /** ggml `ne`: the innermost (row) dimension first. */
  shape: number[];
  /** ggml type id (see GgmlType). */
  type: number;
  /** Byte offset of the tensor's data from the start of the file. */
  offset: number;
  byteLength: number;
}

export interface GgufFile {
  version: number;
  alignment: number;
  metadata: GgufMetadata;
  tensors: GgufTensorInfo[];
  /** Start of the (aligned) tensor data section. */
  dataOffset: number;
  /** The parsed input; tensors are decoded from it on demand. */
  bytes: Uint8Array;
}

const SUPPORTED_VERSIONS = [2, 3];
const MAX_DIMS = 4;
/** Smallest possible metadata entry: empty key (8) + type (4) + a 1-byte value. */
const MIN_METADATA_ENTRY_BYTES = 13;
/** Smallest possible tensor info: empty name (8) + n_dims (4) + type (4) + offset (8). */
const MIN_TENSOR_INFO_BYTES = 24;

const ITEM_TYPE_BY_ID = new Map<number, GgufItemType | "array">(
  Object.entries(GGUF_VALUE_TYPE_IDS).map(([name, id]) => [id, name as GgufItemType | "array"]),
);

export function parseGguf(bytes: Uint8Array): GgufFile {
  const reader = new ByteReader(bytes);
  readMagic(reader);
  const version = readVersion(reader);
  const tensorCount = reader.count("tensor count", MIN_TENSOR_INFO_BYTES);
  const metadataCount = reader.count("metadata entry count", MIN_METADATA_ENTRY_BYTES);
  const metadata = readMetadata(reader, metadataCount);
  const alignment = alignmentOf(metadata, "malformed");
  const infos = readTensorInfos(reader, tensorCount);

  const dataOffset = alignUp(reader.offset, alignment);
  if (tensorCount > 0 && dataOffset > bytes.byteLength) {
    throw new GgufError(
      "truncated",
      `GGUF input ends inside the padding before the tensor data (needs ${dataOffset} bytes, ` +
        `has ${bytes.byteLength})`,
    );
  }
  const tensors = infos.map((info) => placeTensor(info, dataOffset, alignment, bytes.byteLength));
  return { version, alignment, metadata, tensors, dataOffset, bytes };
}

export function findTensor(file: GgufFile, name: string): GgufTensorInfo {
  const tensor = file.tensors.find((candidate) => candidate.name === name);
  if (tensor === undefined) {
    throw new GgufError("tensor-not-found", `GGUF file has no tensor named "${name}"`);
  }
  return tensor;
}

/** The values of an F32 or F16 tensor, in storage order (rows of shape[0] elements). */
export function readTensor(file: GgufFile, name: string): Float32Array {
  const tensor = findTensor(file, name);
  const view = new DataView(file.bytes.buffer, file.bytes.byteOffset + tensor.offset);
  const values = new Float32Array(elementCount(tensor.shape));
  if (tensor.type === GgmlType.F32) {
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  } else if (tensor.type === GgmlType.F16) {
    for (let i = 0; i < values.length; i++) values[i] = halfToNumber(view.getUint16(i * 2, true));
  } else {
    const typeName = ggmlTypeLayout(tensor.type)?.name ?? String(tensor.type);
    throw new GgufError(
      "unsupported-tensor-type",
      `tensor "${name}" has type ${typeName}; only F32 and F16 can be decoded`,
    );
  }
  return values;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function readMagic(reader: ByteReader): void {
  const start = reader.take(4, "magic");
  const magic = String.fromCharCode(...reader.bytes.subarray(start, start + 4));
  if (magic !== GGUF_MAGIC) {
    throw new GgufError("bad-magic", `not a GGUF file: starts with ${JSON.stringify(magic)}`);
  }
}

function readVersion(reader: ByteReader): number {
  const start = reader.take(4, "version");
  const version = reader.view.getUint32(start, true);
  if (SUPPORTED_VERSIONS.includes(version)) return version;
  const bigEndian = SUPPORTED_VERSIONS.includes(reader.view.getUint32(start, false));
  const hint = bigEndian ? " (a big-endian file, which is not supported)" : "";
  throw new GgufError("unsupported-version", `unsupported GGUF version ${version}${hint}`);
}

function readMetadata(reader: ByteReader, count: number): GgufMetadata {
  const metadata: GgufMetadata = new Map();
  for (let index = 0; index < count; index++) {
    const key = reader.string(`key of metadata entry ${index}`);
    if (metadata.has(key)) throw new GgufError("malformed", `duplicate metadata key "${key}"`);
    metadata.set(key, readValue(reader, key));
  }
  return metadata;
}

function readValue(reader: ByteReader, key: string): GgufValue {
  const type = readValueType(reader, `type of "${key}"`);
  if (type !== "array") return { type, value: readItem(reader, type, key) } as GgufValue;

  const itemType = readValueType(reader, `item type of array "${key}"`);
  if (itemType === "array") {
    throw new GgufError(
      "malformed",
      `metadata "${key}" is an array of arrays, which is unsupported`,
    );
  }
  const length = reader.count(`length of array "${key}"`, minItemBytes(itemType));
  return { type: "array", itemType, value: readItems(reader, itemType, length, key) } as GgufArray;
}

function readValueType(reader: ByteReader, what: string): GgufItemType | "array" {
  const id = reader.uint32(what);
  const type = ITEM_TYPE_BY_ID.get(id);
  if (type === undefined) {
    throw new GgufError("unknown-value-type", `unknown GGUF value type ${id} (${what})`);
  }
  return type;
}

function minItemBytes(type: GgufItemType): number {
  if (type === "string") return 8;
  if (type === "bool") return 1;
  return NUMERIC_ITEMS[type].byteSize;
}

function readItem<T extends GgufItemType>(
  reader: ByteReader,
  type: T,
  key: string,
): GgufScalarValues[T] {
  const what = `value of "${key}"`;
  if (type === "string") return reader.string(what) as GgufScalarValues[T];
  if (type === "bool")
    return (reader.view.getUint8(reader.take(1, what)) !== 0) as GgufScalarValues[T];
  const item = NUMERIC_ITEMS[type as GgufNumericType];
  return item.get(reader.view, reader.take(item.byteSize, what)) as GgufScalarValues[T];
}

function readItems(reader: ByteReader, type: GgufItemType, length: number, key: string) {
  if (!isNumericType(type)) return Array.from({ length }, () => readItem(reader, type, key));
  const start = reader.take(length * NUMERIC_ITEMS[type].byteSize, `items of array "${key}"`);
  return readNumericArray(type, reader.view, start, length);
}

interface RawTensorInfo {
  name: string;
  shape: number[];
  type: number;
  byteLength: number;
  relativeOffset: number;
}

function readTensorInfos(reader: ByteReader, count: number): RawTensorInfo[] {
  const infos: RawTensorInfo[] = [];
  const names = new Set<string>();
  for (let index = 0; index < count; index++) {
    const info = readTensorInfo(reader, index);
    if (names.has(info.name)) throw new GgufError("malformed", `duplicate tensor "${info.name}"`);
    names.add(info.name);
    infos.push(info);
  }
  return infos;
}

function readTensorInfo(reader: ByteReader, index: number): RawTensorInfo {
  const name = reader.string(`name of tensor ${index}`);
  const dimCount = reader.uint32(`dimension count of tensor "${name}"`);
  if (dimCount > MAX_DIMS) {
    throw new GgufError(
      "malformed",
      `tensor "${name}" has ${dimCount} dimensions (max ${MAX_DIMS})`,
    );
  }
  const shape = Array.from({ length: dimCount }, (_, dim) =>
    reader.uint64AsNumber(`dimension ${dim} of tensor "${name}"`),
  );
  const type = reader.uint32(`type of tensor "${name}"`);
  const layout = ggmlTypeLayout(type);
  if (layout === undefined) {
    throw new GgufError("unknown-tensor-type", `tensor "${name}" has unknown ggml type ${type}`);
  }
  const rowLength = shape[0] ?? 1;
  if (rowLength % layout.blockSize !== 0) {
    throw new GgufError(
      "malformed",
      `tensor "${name}" rows of ${rowLength} elements are not whole ${layout.name} blocks`,
    );
  }
  const byteLength = (elementCount(shape) / layout.blockSize) * layout.bytesPerBlock;
  const relativeOffset = reader.uint64AsNumber(`data offset of tensor "${name}"`);
  return { name, shape, type, byteLength, relativeOffset };
}

function placeTensor(
  info: RawTensorInfo,
  dataOffset: number,
  alignment: number,
  fileLength: number,
): GgufTensorInfo {
  const { relativeOffset, ...rest } = info;
  if (relativeOffset % alignment !== 0) {
    throw new GgufError(
      "malformed",
      `tensor "${info.name}" data offset ${relativeOffset} is not a multiple of ${alignment}`,
    );
  }
  const offset = dataOffset + relativeOffset;
  if (offset + info.byteLength > fileLength) {
    throw new GgufError(
      "tensor-out-of-bounds",
      `tensor "${info.name}" occupies bytes ${offset}..${offset + info.byteLength} ` +
        `but the file has only ${fileLength} (truncated or corrupt)`,
    );
  }
  return { ...rest, offset };
}
