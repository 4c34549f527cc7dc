// The control-vector file format: what repeng and llama.cpp write, we read; what we write, they read.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ControlVectorFormatError,
  encodeControlVector,
  parseControlVector,
} from "../shared/control-vector.ts";
import { encodeGguf, GgmlType, ggufScalar, parseGguf } from "../shared/gguf/index.ts";
import { numberedArchitecture } from "./support/control-vector-files.ts";

const fixture = path.join(import.meta.dirname, "fixtures/repeng-vector.gguf");

function gguf(
  architecture: string,
  tensors: { name: string; data: number[]; type?: 0 | 1; shape?: number[] }[],
) {
  return encodeGguf({
    metadata: new Map([["general.architecture", ggufScalar("string", architecture)]]),
    tensors: tensors.map((t) => ({
      name: t.name,
      shape: t.shape ?? [t.data.length],
      type: t.type ?? GgmlType.F32,
      data: Float32Array.from(t.data),
    })),
  });
}

describe("control vector files", () => {
  it("reads a file written the way repeng's export_gguf writes it", async () => {
    const vector = parseControlVector(new Uint8Array(await readFile(fixture)));
    expect(vector.modelHint).toBe("llama");
    expect([...vector.directions.keys()]).toEqual([1, 2, 3]);
    expect(Array.from(vector.directions.get(2) ?? [])).toEqual(
      Array.from({ length: 8 }, (_, i) => Math.fround((i * 2) / 10)),
    );
  });

  it("round-trips, with the metadata llama.cpp and repeng expect", () => {
    const directions = new Map([
      [5, Float32Array.from([1, -2, 3.5])],
      [2, Float32Array.from([0, 0.25, -1])],
    ]);
    const bytes = encodeControlVector({ directions, modelHint: "llama" });
    const file = parseGguf(bytes);
    expect(file.metadata.get("general.architecture")).toEqual({
      type: "string",
      value: "controlvector",
    });
    expect(file.metadata.get("controlvector.layer_count")).toEqual({ type: "uint32", value: 2 });
    expect(file.tensors.map((t) => t.name)).toEqual(["direction.2", "direction.5"]);
    expect(parseControlVector(bytes)).toEqual({
      directions: new Map([...directions].sort()),
      modelHint: "llama",
    });
  });

  it("adds up a layer given twice, as llama.cpp's loader does", () => {
    const bytes = gguf("controlvector", [
      { name: "direction.1", data: [1, 2] },
      { name: "direction.01", data: [10, 20] },
    ]);
    expect(Array.from(parseControlVector(bytes).directions.get(1) ?? [])).toEqual([11, 22]);
  });

  it("refuses what llama.cpp refuses, with a reason", () => {
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode("not gguf"), /not a valid GGUF/],
      [gguf("llama", [{ name: "direction.1", data: [1] }]), /architecture is "llama"/],
      [gguf("controlvector", []), /no direction tensors/],
      [gguf("controlvector", [{ name: "direction.0", data: [1] }]), /layer 0/],
      [gguf("controlvector", [{ name: "blk.1.weight", data: [1] }]), /expected direction\.N/],
      [gguf("controlvector", [{ name: "direction.1", data: [1], type: GgmlType.F16 }]), /not F32/],
      [
        gguf("controlvector", [{ name: "direction.1", data: [1, 2], shape: [1, 2] }]),
        /one-dimensional/,
      ],
      [
        gguf("controlvector", [
          { name: "direction.1", data: [1, 2] },
          { name: "direction.2", data: [1] },
        ]),
        /has 1 values, the others 2/,
      ],
      [gguf("controlvector", [{ name: "direction.1", data: [Number.NaN] }]), /non-finite/],
      [numberedArchitecture(), /"general.architecture" is uint32, expected string/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseControlVector(bytes)).toThrow(ControlVectorFormatError);
      expect(() => parseControlVector(bytes)).toThrow(message);
    }
  });

  it("refuses to write what no loader could read", () => {
    expect(() => encodeControlVector({ directions: new Map() })).toThrow(ControlVectorFormatError);
    expect(() => encodeControlVector({ directions: new Map([[0, new Float32Array(2)]]) })).toThrow(
      />= 1/,
    );
  });
});
