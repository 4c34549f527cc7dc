/**
 * The GGUF data model: metadata values and tensor descriptions, independent of any byte layout.
 */

/** JS representation of a single metadata item of each GGUF type. */
export interface GgufScalarValues {
  uint8: number;
  int8: number;
  uint16: number;
  int16: number;
  uint32: number;
  int32: number;
  float32: number;
  float64: number;
  /** 64-bit integers stay exact as bigint. */
  uint64: bigint;
  int64: bigint;
  bool: boolean;
  string: string;
}

/** JS representation of a GGUF array of each item type: typed arrays for numbers. */
export interface GgufArrayValues {
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  uint32: Uint32Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
  uint64: BigUint64Array;
  int64: BigInt64Array;
  bool: boolean[];
  string: string[];
}

export type GgufItemType = keyof GgufScalarValues;
export type GgufNumericType = Exclude<GgufItemType, "bool" | "string">;

export type GgufScalar<T extends GgufItemType = GgufItemType> = {
  [K in T]: { type: K; value: GgufScalarValues[K] };
}[T];

/** GGUF arrays hold items of one type; arrays of arrays are not supported (nor by llama.cpp). */
export type GgufArray<T extends GgufItemType = GgufItemType> = {
  [K in T]: { type: "array"; itemType: K; value: GgufArrayValues[K] };
}[T];

export type GgufValue = GgufScalar | GgufArray;

/** Metadata in file order (a Map keeps insertion order, and keys are unique as GGUF requires). */
export type GgufMetadata = Map<string, GgufValue>;

/** The value type ids written in the file. */
export const GGUF_VALUE_TYPE_IDS = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const satisfies Record<GgufItemType | "array", number>;

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const GGUF_ALIGNMENT_KEY = "general.alignment";
