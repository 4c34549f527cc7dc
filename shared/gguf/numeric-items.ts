/**
 * How each numeric GGUF item type sits in little-endian bytes, shared by the reader and writer.
 */
import type { GgufArrayValues, GgufNumericType, GgufScalarValues } from "./types.ts";

export interface NumericItem<T extends GgufNumericType> {
  byteSize: number;
  get(view: DataView, offset: number): GgufScalarValues[T];
  set(view: DataView, offset: number, value: GgufScalarValues[T]): void;
  newArray(length: number): GgufArrayValues[T];
  /** Inclusive range of an integer type; floats have none. */
  range?: readonly [GgufScalarValues[T], GgufScalarValues[T]];
}

export const NUMERIC_ITEMS: { [T in GgufNumericType]: NumericItem<T> } = {
  uint8: {
    byteSize: 1,
    get: (view, offset) => view.getUint8(offset),
    set: (view, offset, value) => view.setUint8(offset, value),
    newArray: (length) => new Uint8Array(length),
    range: [0, 0xff],
  },
  int8: {
    byteSize: 1,
    get: (view, offset) => view.getInt8(offset),
    set: (view, offset, value) => view.setInt8(offset, value),
    newArray: (length) => new Int8Array(length),
    range: [-0x80, 0x7f],
  },
  uint16: {
    byteSize: 2,
    get: (view, offset) => view.getUint16(offset, true),
    set: (view, offset, value) => view.setUint16(offset, value, true),
    newArray: (length) => new Uint16Array(length),
    range: [0, 0xffff],
  },
  int16: {
    byteSize: 2,
    get: (view, offset) => view.getInt16(offset, true),
    set: (view, offset, value) => view.setInt16(offset, value, true),
    newArray: (length) => new Int16Array(length),
    range: [-0x8000, 0x7fff],
  },
  uint32: {
    byteSize: 4,
    get: (view, offset) => view.getUint32(offset, true),
    set: (view, offset, value) => view.setUint32(offset, value, true),
    newArray: (length) => new Uint32Array(length),
    range: [0, 0xffffffff],
  },
  int32: {
    byteSize: 4,
    get: (view, offset) => view.getInt32(offset, true),
    set: (view, offset, value) => view.setInt32(offset, value, true),
    newArray: (length) => new Int32Array(length),
    range: [-0x80000000, 0x7fffffff],
  },
  float32: {
    byteSize: 4,
    get: (view, offset) => view.getFloat32(offset, true),
    set: (view, offset, value) => view.setFloat32(offset, value, true),
    newArray: (length) => new Float32Array(length),
  },
  float64: {
    byteSize: 8,
    get: (view, offset) => view.getFloat64(offset, true),
    set: (view, offset, value) => view.setFloat64(offset, value, true),
    newArray: (length) => new Float64Array(length),
  },
  uint64: {
    byteSize: 8,
    get: (view, offset) => view.getBigUint64(offset, true),
    set: (view, offset, value) => view.setBigUint64(offset, value, true),
    newArray: (length) => new BigUint64Array(length),
    range: [0n, 0xffffffffffffffffn],
  },
  int64: {
    byteSize: 8,
    get: (view, offset) => view.getBigInt64(offset, true),
    set: (view, offset, value) => view.setBigInt64(offset, value, true),
    newArray: (length) => new BigInt64Array(length),
    range: [-0x8000000000000000n, 0x7fffffffffffffffn],
  },
};

export function isNumericType(type: string): type is GgufNumericType {
  return Object.hasOwn(NUMERIC_ITEMS, type);
}

/** Decodes `length` consecutive items of `type` starting at byte `offset`. */
export function readNumericArray<T extends GgufNumericType>(
  type: T,
  view: DataView,
  offset: number,
  length: number,
): GgufArrayValues[T] {
  const item = NUMERIC_ITEMS[type] as NumericItem<GgufNumericType>;
  const values = item.newArray(length);
  const slots: { [index: number]: number | bigint } = values;
  for (let i = 0; i < length; i++) slots[i] = item.get(view, offset + i * item.byteSize);
  return values as GgufArrayValues[T];
}

/** Encodes one item whose JS type the caller has already checked against `type`. */
export function writeNumericItem(
  type: GgufNumericType,
  view: DataView,
  offset: number,
  value: number | bigint,
): void {
  const item = NUMERIC_ITEMS[type] as NumericItem<GgufNumericType>;
  item.set(view, offset, value);
}
