/**
 * Building and reading metadata values with their GGUF types spelled out, so that callers never
 * guess how a JS number will be stored.
 */
import { GgufError } from "./errors.ts";
import { isNumericType } from "./numeric-items.ts";
import type {
  GgufArray,
  GgufArrayValues,
  GgufItemType,
  GgufMetadata,
  GgufScalar,
  GgufScalarValues,
  GgufValue,
} from "./types.ts";

/*
 * The builders return the general GgufValue (not the narrower GgufScalar<T>) so that
 * `new Map([["a", ggufScalar("string", "x")], ["b", ggufScalar("uint32", 1)]])` infers a
 * GgufMetadata instead of failing to unify two different entry types.
 */
export function ggufScalar<T extends GgufItemType>(type: T, value: GgufScalarValues[T]): GgufValue {
  return { type, value } as GgufScalar;
}

export function ggufArray<T extends GgufItemType>(
  itemType: T,
  value: GgufArrayValues[T],
): GgufValue {
  return { type: "array", itemType, value } as GgufArray;
}

export function getScalar<T extends GgufItemType>(
  metadata: GgufMetadata,
  key: string,
  type: T,
): GgufScalarValues[T] {
  const entry = requireEntry(metadata, key);
  if (entry.type !== type) {
    throw new GgufError("wrong-type", `metadata "${key}" is ${describe(entry)}, expected ${type}`);
  }
  return entry.value as GgufScalarValues[T];
}

export function getArray<T extends GgufItemType>(
  metadata: GgufMetadata,
  key: string,
  itemType: T,
): GgufArrayValues[T] {
  const entry = requireEntry(metadata, key);
  if (entry.type !== "array" || entry.itemType !== itemType) {
    throw new GgufError(
      "wrong-type",
      `metadata "${key}" is ${describe(entry)}, expected array of ${itemType}`,
    );
  }
  return entry.value as GgufArrayValues[T];
}

/**
 * A numeric scalar of whatever width the writer chose (llama.cpp tools differ: uint32, int32,
 * uint64...), as a JS number; 64-bit values must be exactly representable.
 */
export function getNumber(metadata: GgufMetadata, key: string): number {
  const entry = requireEntry(metadata, key);
  if (entry.type === "array" || !isNumericType(entry.type)) {
    throw new GgufError("wrong-type", `metadata "${key}" is ${describe(entry)}, expected a number`);
  }
  const value = Number(entry.value);
  if (typeof entry.value === "bigint" && !Number.isSafeInteger(value)) {
    throw new GgufError("wrong-type", `metadata "${key}" (${entry.value}) does not fit a number`);
  }
  return value;
}

function requireEntry(metadata: GgufMetadata, key: string) {
  const entry = metadata.get(key);
  if (entry === undefined) throw new GgufError("missing-key", `metadata "${key}" is missing`);
  return entry;
}

function describe(entry: GgufScalar | GgufArray): string {
  return entry.type === "array" ? `array of ${entry.itemType}` : entry.type;
}
