import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  encodeGguf,
  GgmlType,
  GgufError,
  type GgufErrorCode,
  type GgufMetadata,
  type GgufTensorInput,
  getArray,
  getNumber,
  getScalar,
  ggufArray,
  ggufChunks,
  ggufScalar,
  halfToNumber,
  numberToHalf,
  parseGguf,
  readTensor,
} from "../shared/gguf/index.ts";
import { readGgufFile, writeGgufFile } from "../shared/gguf/node-file.ts";

function errorCodeOf(action: () => unknown): GgufErrorCode {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GgufError);
    return (error as GgufError).code;
  }
  throw new Error("expected a GgufError, but nothing was thrown");
}

function f32Tensor(name: string, shape: number[], values?: number[]): GgufTensorInput {
  const length = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from(values ?? Array.from({ length }, (_, i) => i * 0.5 - 3));
  return { name, shape, type: GgmlType.F32, data };
}

function roundTrip(metadata: GgufMetadata, tensors: GgufTensorInput[] = []) {
  return parseGguf(encodeGguf({ metadata, tensors }));
}

/**
 * A 128-byte file with a known layout, for patching corruptions in at exact offsets:
 *   0 magic | 4 version | 8 tensor count | 16 metadata count
 *   24 key length | 32 "k" | 33 value type | 37 uint32 value
 *   41 name length | 49 "t" | 50 n_dims | 54 ne[0] | 62 ggml type | 66 data offset
 *   74..96 padding | 96 tensor data (one F32) | 100..128 padding
 */
const LAYOUT = {
  version: 4,
  tensorCount: 8,
  metadataCount: 16,
  keyLength: 24,
  key: 32,
  valueType: 33,
  value: 37,
  tensorName: 49,
  dimCount: 50,
  dim0: 54,
  tensorType: 62,
  dataOffset: 66,
  dataStart: 96,
  dataEnd: 100,
  fileLength: 128,
};

function sampleFile(): Uint8Array {
  const bytes = encodeGguf({
    metadata: new Map([["k", ggufScalar("uint32", 7)]]),
    tensors: [f32Tensor("t", [1], [1.5])],
  });
  expect(bytes.length).toBe(LAYOUT.fileLength);
  return bytes;
}

function patched(offset: number, write: (view: DataView) => void): Uint8Array {
  const bytes = sampleFile();
  write(new DataView(bytes.buffer, offset));
  return bytes;
}

describe("GGUF metadata round trip", () => {
  it("preserves every scalar type, including the extremes", () => {
    const metadata: GgufMetadata = new Map([
      ["u8", ggufScalar("uint8", 255)],
      ["i8", ggufScalar("int8", -128)],
      ["u16", ggufScalar("uint16", 65535)],
      ["i16", ggufScalar("int16", -32768)],
      ["u32", ggufScalar("uint32", 4294967295)],
      ["i32", ggufScalar("int32", -2147483648)],
      ["f32", ggufScalar("float32", 0.5)],
      ["f64", ggufScalar("float64", Math.PI)],
      ["u64", ggufScalar("uint64", 18446744073709551615n)],
      ["i64", ggufScalar("int64", -9223372036854775808n)],
      ["yes", ggufScalar("bool", true)],
      ["no", ggufScalar("bool", false)],
      ["text", ggufScalar("string", "héllo ✓ 🙂")],
      ["empty", ggufScalar("string", "")],
    ]);
    expect(roundTrip(metadata).metadata).toEqual(metadata);
  });

  it("rounds float32 values to float32", () => {
    const file = roundTrip(new Map([["f", ggufScalar("float32", 0.1)]]));
    expect(getScalar(file.metadata, "f", "float32")).toBe(Math.fround(0.1));
  });

  it("preserves arrays of every item type, including strings and empty arrays", () => {
    const metadata: GgufMetadata = new Map([
      ["u8", ggufArray("uint8", Uint8Array.of(0, 255))],
      ["i8", ggufArray("int8", Int8Array.of(-128, 127))],
      ["u16", ggufArray("uint16", Uint16Array.of(1, 65535))],
      ["i16", ggufArray("int16", Int16Array.of(-32768, 5))],
      ["u32", ggufArray("uint32", Uint32Array.of(4294967295, 0))],
      ["i32", ggufArray("int32", Int32Array.of(-1, 2147483647))],
      ["f32", ggufArray("float32", Float32Array.of(1.5, -0, Number.POSITIVE_INFINITY))],
      ["f64", ggufArray("float64", Float64Array.of(Math.E, -1e300))],
      ["u64", ggufArray("uint64", BigUint64Array.of(0n, 18446744073709551615n))],
      ["i64", ggufArray("int64", BigInt64Array.of(-9223372036854775808n, 1n))],
      ["bools", ggufArray("bool", [true, false, true])],
      ["strings", ggufArray("string", ["Ġhello", "", "<|eot_id|>", "日本"])],
      ["none", ggufArray("string", [])],
      ["no-numbers", ggufArray("float32", new Float32Array(0))],
    ]);
    expect(roundTrip(metadata).metadata).toEqual(metadata);
  });

  it("keeps the metadata order", () => {
    const keys = ["z", "a", "m", "b"];
    const metadata: GgufMetadata = new Map(keys.map((key) => [key, ggufScalar("bool", true)]));
    expect([...roundTrip(metadata).metadata.keys()]).toEqual(keys);
  });
});

describe("GGUF tensors", () => {
  it("round-trips F32 tensors exactly, with their shapes", () => {
    const tensors = [
      f32Tensor("matrix", [3, 2]),
      f32Tensor("cube", [2, 2, 2]),
      f32Tensor("v", [5]),
    ];
    const file = roundTrip(new Map(), tensors);
    expect(file.tensors.map(({ name, shape, type }) => ({ name, shape, type }))).toEqual(
      tensors.map(({ name, shape, type }) => ({ name, shape, type })),
    );
    for (const tensor of tensors) expect(readTensor(file, tensor.name)).toEqual(tensor.data);
  });

  it("stores F16 tensors rounded to half precision", () => {
    const values = [0.1, 1 / 3, 65504, -2, 1e-8, 70000];
    const file = roundTrip(new Map(), [
      { name: "h", shape: [6], type: GgmlType.F16, data: Float32Array.from(values) },
    ]);
    expect(file.tensors[0]?.byteLength).toBe(12);
    expect(Array.from(readTensor(file, "h"))).toEqual([
      0.0999755859375,
      0.333251953125,
      65504,
      -2,
      0,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it("aligns tensor data to 32 bytes by default and to general.alignment when set", () => {
    const tensors = [f32Tensor("a", [3]), f32Tensor("b", [5]), f32Tensor("c", [1])];
    for (const alignment of [32, 64, 256]) {
      const metadata: GgufMetadata =
        alignment === 32
          ? new Map()
          : new Map([["general.alignment", ggufScalar("uint32", alignment)]]);
      const file = roundTrip(metadata, tensors);
      expect(file.alignment).toBe(alignment);
      expect(file.dataOffset % alignment).toBe(0);
      for (const tensor of file.tensors)
        expect((tensor.offset - file.dataOffset) % alignment).toBe(0);
      expect(file.bytes.length % alignment).toBe(0);
      for (const tensor of tensors) expect(readTensor(file, tensor.name)).toEqual(tensor.data);
    }
  });

  it("streams tensor data in chunks of at most 1 MiB that concatenate to the file", () => {
    const big = f32Tensor("big", [600, 500]);
    const document = { metadata: new Map(), tensors: [big, f32Tensor("small", [3])] };
    const chunks = [...ggufChunks(document)];
    expect(Math.max(...chunks.map((chunk) => chunk.byteLength))).toBeLessThanOrEqual(1 << 20);
    const joined = Buffer.concat(chunks);
    expect(joined.equals(encodeGguf(document))).toBe(true);
    const decoded = readTensor(parseGguf(joined), "big");
    expect(Buffer.from(decoded.buffer).equals(Buffer.from(big.data.buffer))).toBe(true);
  });

  it("writes and reads files through the Node helpers, leaving no temporary files", async () => {
    const directory = await mkdtemp(join(tmpdir(), "gguf-test-"));
    try {
      const path = join(directory, "model.gguf");
      const metadata: GgufMetadata = new Map([["name", ggufScalar("string", "x")]]);
      await writeGgufFile(path, { metadata, tensors: [f32Tensor("w", [4, 4])] });
      const file = await readGgufFile(path);
      expect(file.metadata).toEqual(metadata);
      expect(readTensor(file, "w")).toEqual(f32Tensor("w", [4, 4]).data);
      expect(await readdir(directory)).toEqual(["model.gguf"]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("half precision", () => {
  it("rounds to nearest, ties to even, with subnormals, overflow and NaN", () => {
    const roundTripHalf = (value: number) => halfToNumber(numberToHalf(value));
    expect(roundTripHalf(1 + 2 ** -11)).toBe(1); // tie: down to the even mantissa
    expect(roundTripHalf(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // tie: up to the even mantissa
    expect(roundTripHalf(2 ** -24)).toBe(2 ** -24); // smallest subnormal
    expect(roundTripHalf(2 ** -25)).toBe(0); // tie with zero: even
    expect(roundTripHalf(3 * 2 ** -26)).toBe(2 ** -24);
    expect(roundTripHalf(65519)).toBe(65504);
    expect(roundTripHalf(65520)).toBe(Number.POSITIVE_INFINITY);
    expect(roundTripHalf(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(roundTripHalf(-0), -0)).toBe(true);
    expect(roundTripHalf(Number.NaN)).toBeNaN();
  });

  it("decodes every half exactly back to the same half", () => {
    const mismatches: number[] = [];
    for (let half = 0; half < 0x10000; half++) {
      const value = halfToNumber(half);
      if (!Number.isNaN(value) && numberToHalf(value) !== half) mismatches.push(half);
    }
    expect(mismatches).toEqual([]);
  });
});

describe("corrupt GGUF input", () => {
  it("parses the untouched sample", () => {
    const file = parseGguf(sampleFile());
    expect(getNumber(file.metadata, "k")).toBe(7);
    expect(file.tensors[0]?.offset).toBe(LAYOUT.dataStart);
    expect(Array.from(readTensor(file, "t"))).toEqual([1.5]);
  });

  it("rejects a file that does not start with GGUF", () => {
    const bytes = sampleFile();
    bytes[0] = "X".charCodeAt(0);
    expect(errorCodeOf(() => parseGguf(bytes))).toBe("bad-magic");
    expect(errorCodeOf(() => parseGguf(new TextEncoder().encode("PK\u0003\u0004 not gguf")))).toBe(
      "bad-magic",
    );
  });

  it("rejects unsupported versions, and says so for big-endian files", () => {
    const v1 = patched(LAYOUT.version, (view) => view.setUint32(0, 1, true));
    expect(errorCodeOf(() => parseGguf(v1))).toBe("unsupported-version");
    const bigEndian = patched(LAYOUT.version, (view) => view.setUint32(0, 3, false));
    expect(() => parseGguf(bigEndian)).toThrow(/big-endian/);
  });

  it("reports every cut inside the header as truncation, and a cut tensor as out of bounds", () => {
    const bytes = sampleFile();
    for (let length = 0; length < LAYOUT.dataEnd; length++) {
      const expected = length < LAYOUT.dataStart ? "truncated" : "tensor-out-of-bounds";
      expect(errorCodeOf(() => parseGguf(bytes.subarray(0, length)))).toBe(expected);
    }
    expect(readTensor(parseGguf(bytes.subarray(0, LAYOUT.dataEnd)), "t")).toEqual(
      Float32Array.of(1.5),
    );
  });

  it("rejects unknown metadata value types", () => {
    const bytes = patched(LAYOUT.valueType, (view) => view.setUint32(0, 13, true));
    expect(errorCodeOf(() => parseGguf(bytes))).toBe("unknown-value-type");
  });

  it("rejects arrays of arrays", () => {
    const bytes = encodeGguf({
      metadata: new Map([["a", ggufArray("uint8", Uint8Array.of(1))]]),
      tensors: [],
    });
    // key length (8) + "a" + array type (4), then the item type: make it "array" too.
    new DataView(bytes.buffer).setUint32(24 + 8 + 1 + 4, 9, true);
    expect(errorCodeOf(() => parseGguf(bytes))).toBe("malformed");
  });

  it("rejects unknown tensor types", () => {
    for (const type of [4, 31, 43, 1000]) {
      const bytes = patched(LAYOUT.tensorType, (view) => view.setUint32(0, type, true));
      expect(errorCodeOf(() => parseGguf(bytes))).toBe("unknown-tensor-type");
    }
  });

  it("rejects tensors whose data lies outside the file", () => {
    const farOffset = patched(LAYOUT.dataOffset, (view) => view.setBigUint64(0, 64n, true));
    expect(errorCodeOf(() => parseGguf(farOffset))).toBe("tensor-out-of-bounds");
    const hugeShape = patched(LAYOUT.dim0, (view) => view.setBigUint64(0, 1n << 40n, true));
    expect(errorCodeOf(() => parseGguf(hugeShape))).toBe("tensor-out-of-bounds");
  });

  it("rejects malformed structure", () => {
    const cases: [string, Uint8Array][] = [
      ["misaligned offset", patched(LAYOUT.dataOffset, (v) => v.setBigUint64(0, 4n, true))],
      ["five dimensions", patched(LAYOUT.dimCount, (v) => v.setUint32(0, 5, true))],
      ["offset beyond 2^53", patched(LAYOUT.dataOffset, (v) => v.setBigUint64(0, 1n << 60n, true))],
      ["invalid UTF-8 key", patched(LAYOUT.key, (v) => v.setUint8(0, 0xff))],
      ["Q8_0 row of 1 element", patched(LAYOUT.tensorType, (v) => v.setUint32(0, 8, true))],
    ];
    for (const [label, bytes] of cases) {
      expect(
        errorCodeOf(() => parseGguf(bytes)),
        label,
      ).toBe("malformed");
    }
  });

  it("rejects duplicate keys and duplicate tensor names", () => {
    const twoKeys = encodeGguf({
      metadata: new Map([
        ["a", ggufScalar("uint8", 1)],
        ["b", ggufScalar("uint8", 2)],
      ]),
      tensors: [],
    });
    twoKeys[24 + 8 + 1 + 4 + 1 + 8] = "a".charCodeAt(0); // rename "b" to "a"
    expect(() => parseGguf(twoKeys)).toThrow(/duplicate metadata key "a"/);

    const twoTensors = encodeGguf({
      metadata: new Map(),
      tensors: [f32Tensor("x", [1]), f32Tensor("y", [1])],
    });
    const second = twoTensors.indexOf("y".charCodeAt(0), 24);
    twoTensors[second] = "x".charCodeAt(0);
    expect(() => parseGguf(twoTensors)).toThrow(/duplicate tensor "x"/);
  });

  it("rejects a general.alignment that is not a uint32 power of two", () => {
    const key = "general.alignment";
    const bytes = encodeGguf({ metadata: new Map([[key, ggufScalar("uint32", 32)]]), tensors: [] });
    const valueOffset = 24 + 8 + key.length + 4;
    for (const alignment of [0, 48]) {
      const corrupt = bytes.slice();
      new DataView(corrupt.buffer).setUint32(valueOffset, alignment, true);
      expect(errorCodeOf(() => parseGguf(corrupt))).toBe("malformed");
    }
  });

  it("refuses absurd counts before allocating anything for them", () => {
    const manyTensors = patched(LAYOUT.tensorCount, (view) =>
      view.setBigUint64(0, 1n << 50n, true),
    );
    expect(errorCodeOf(() => parseGguf(manyTensors))).toBe("truncated");
    const longKey = patched(LAYOUT.keyLength, (view) => view.setBigUint64(0, 1n << 40n, true));
    expect(errorCodeOf(() => parseGguf(longKey))).toBe("truncated");
    const longArray = encodeGguf({
      metadata: new Map([["a", ggufArray("float64", Float64Array.of(1))]]),
      tensors: [],
    });
    new DataView(longArray.buffer).setBigUint64(24 + 8 + 1 + 4 + 4, 1n << 45n, true);
    expect(errorCodeOf(() => parseGguf(longArray))).toBe("truncated");
  });

  it("throws nothing but GgufErrors for randomly corrupted files", () => {
    const original = encodeGguf({
      metadata: new Map([
        ["general.architecture", ggufScalar("string", "llama")],
        ["n", ggufScalar("uint32", 3)],
        ["tokens", ggufArray("string", ["a", "bb", "ccc"])],
        ["scores", ggufArray("float32", Float32Array.of(1, 2, 3))],
        ["flag", ggufScalar("bool", true)],
      ]),
      tensors: [
        f32Tensor("w", [4, 3]),
        { name: "h", shape: [8], type: GgmlType.F16, data: new Float32Array(8).fill(0.25) },
      ],
    });
    let seed = 12345;
    const random = (limit: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % limit;
    };
    let rejected = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = original.slice(0, original.length - random(8) * random(2) * 16);
      for (let flips = 1 + random(3); flips > 0; flips--) bytes[random(bytes.length)] = random(256);
      try {
        const file = parseGguf(bytes);
        for (const tensor of file.tensors) readTensor(file, tensor.name);
      } catch (error) {
        expect(error).toBeInstanceOf(GgufError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });
});

describe("reading tensors and metadata values", () => {
  it("decodes F32 and F16 only, and names missing tensors", () => {
    const bytes = encodeGguf({ metadata: new Map(), tensors: [f32Tensor("q", [32])] });
    // counts (24) + name length (8) + "q" (1) + n_dims (4) + ne[0] (8), then the type: Q8_0.
    new DataView(bytes.buffer).setUint32(45, 8, true);
    const quantized = parseGguf(bytes); // 32 values make one 34-byte block: still in bounds
    expect(quantized.tensors[0]?.byteLength).toBe(34);
    expect(errorCodeOf(() => readTensor(quantized, "q"))).toBe("unsupported-tensor-type");
    expect(errorCodeOf(() => readTensor(quantized, "nope"))).toBe("tensor-not-found");
  });

  it("typed getters report missing keys and wrong types", () => {
    const metadata: GgufMetadata = new Map([
      ["count", ggufScalar("uint64", 12n)],
      ["huge", ggufScalar("uint64", 1n << 60n)],
      ["name", ggufScalar("string", "x")],
      ["ids", ggufArray("int32", Int32Array.of(1, 2))],
    ]);
    expect(getNumber(metadata, "count")).toBe(12);
    expect(getScalar(metadata, "name", "string")).toBe("x");
    expect(getArray(metadata, "ids", "int32")).toEqual(Int32Array.of(1, 2));
    expect(errorCodeOf(() => getNumber(metadata, "missing"))).toBe("missing-key");
    expect(errorCodeOf(() => getNumber(metadata, "name"))).toBe("wrong-type");
    expect(errorCodeOf(() => getNumber(metadata, "huge"))).toBe("wrong-type");
    expect(errorCodeOf(() => getScalar(metadata, "count", "uint32"))).toBe("wrong-type");
    expect(errorCodeOf(() => getArray(metadata, "ids", "uint32"))).toBe("wrong-type");
    expect(errorCodeOf(() => getArray(metadata, "name", "string"))).toBe("wrong-type");
  });
});

describe("GGUF writer input validation", () => {
  const encodeWith =
    (metadata: GgufMetadata, tensors: GgufTensorInput[] = []) =>
    () =>
      encodeGguf({ metadata, tensors });

  it("rejects values that do not fit their declared type", () => {
    const bad = [
      ggufScalar("uint8", 256),
      ggufScalar("int8", -129),
      ggufScalar("uint32", -1),
      ggufScalar("int32", 1.5),
      ggufScalar("uint64", 5 as unknown as bigint),
      ggufScalar("uint64", -1n),
      ggufScalar("string", 5 as unknown as string),
      ggufArray("bool", [true, 1 as unknown as boolean]),
    ];
    for (const value of bad) {
      expect(
        errorCodeOf(encodeWith(new Map([["k", value]]))),
        JSON.stringify(value, (_, v) => String(v)),
      ).toBe("invalid-input");
    }
    expect(errorCodeOf(encodeWith(new Map([["", ggufScalar("bool", true)]])))).toBe(
      "invalid-input",
    );
  });

  it("rejects a general.alignment that is not a uint32 power of two", () => {
    for (const alignment of [
      ggufScalar("uint32", 0),
      ggufScalar("uint32", 48),
      ggufScalar("uint64", 32n),
    ]) {
      const metadata = new Map([["general.alignment", alignment]]);
      expect(errorCodeOf(encodeWith(metadata))).toBe("invalid-input");
    }
  });

  it("rejects tensors it cannot represent", () => {
    const tensors: GgufTensorInput[] = [
      f32Tensor("shape-mismatch", [2, 2], [1, 2, 3]),
      f32Tensor("n".repeat(64), [1]),
      { ...f32Tensor("q8", [32]), type: 8 as typeof GgmlType.F32 },
      { ...f32Tensor("zero-dim", [1]), shape: [0] },
      { ...f32Tensor("five-dims", [1]), shape: [1, 1, 1, 1, 1] },
    ];
    for (const tensor of tensors) {
      expect(errorCodeOf(encodeWith(new Map(), [tensor])), tensor.name).toBe("invalid-input");
    }
    const duplicate = [f32Tensor("same", [1]), f32Tensor("same", [2])];
    expect(errorCodeOf(encodeWith(new Map(), duplicate))).toBe("invalid-input");
  });
});
