// The control-vector file format: what repeng and llama.cpp write, we read; what we write, they read.
// And the one check of whether a vector can steer a model: layers, width, norms.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ControlVectorFormatError,
  encodeControlVector,
  parseControlVector,
  vectorProblem,
} from "../shared/control-vector.ts";
import { encodeGguf, GgmlType, ggufScalar, parseGguf } from "../shared/gguf/index.ts";
import { MAX_DIRECTION_NORM } from "../shared/limits.ts";
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

describe("vectorProblem", () => {
  const shape = { layerCount: 4, embeddingSize: 3 };
  const vector = (layer: number, values: number[]) => ({
    directions: new Map([[layer, Float32Array.from(values)]]),
  });

  it("takes the vectors extraction and repeng write, and any up to MAX_DIRECTION_NORM", async () => {
    const repeng = parseControlVector(new Uint8Array(await readFile(fixture)));
    expect(vectorProblem(repeng, { layerCount: 4, embeddingSize: 8 })).toBeNull();
    expect(vectorProblem(vector(1, [1, 0, 0]), shape)).toBeNull();
    expect(vectorProblem(vector(3, [MAX_DIRECTION_NORM, 0, 0]), shape)).toBeNull();
  });

  it("refuses a direction of absurd norm or not finite, naming its layer and its norm", () => {
    expect(vectorProblem(vector(2, [3e38, 3e38, 3e38]), shape)).toEqual({
      code: "control_vector_norm",
      message: expect.stringMatching(
        /^direction\.2 \(layer 2\) has norm 5\.20e\+38; .* at most 100/,
      ),
    });
    expect(vectorProblem(vector(3, [MAX_DIRECTION_NORM, 1, 0]), shape)?.code).toBe(
      "control_vector_norm",
    );
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expect(vectorProblem(vector(1, [0, bad, 0]), shape)).toEqual({
        code: "control_vector_norm",
        message: expect.stringContaining("direction.1 (layer 1) holds values that are not finite"),
      });
    }
  });

  it("checks a layer given twice once summed, which may overflow where its parts do not", () => {
    const bytes = gguf("controlvector", [
      { name: "direction.1", data: [3e38, 0, 0] },
      { name: "direction.01", data: [3e38, 0, 0] },
    ]);
    expect(vectorProblem(parseControlVector(bytes), shape)?.message).toContain("not finite");
  });

  it("refuses layers llama.cpp does not steer, and directions of another width", () => {
    expect(vectorProblem(vector(4, [1, 0, 0]), shape)?.code).toBe("layer_out_of_range");
    expect(vectorProblem(vector(1, [1, 0]), shape)?.code).toBe("control_vector_width");
  });
});
