import { describe, expect, it } from "vitest";
import { EngineError } from "../../gpu-node/engine/errors.ts";
import { composeSteering } from "../../gpu-node/engine/steering.ts";

const shape = { layerCount: 4, embeddingSize: 3 };
const vector = (entries: [number, number[]][]) => ({
  directions: new Map(entries.map(([layer, values]) => [layer, Float32Array.from(values)])),
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof EngineError ? error.code : "not an EngineError";
  }
  return undefined;
}

describe("composeSteering", () => {
  it("sums multiplier x direction per layer into llama.cpp's buffer, from layer 1", () => {
    const a = vector([
      [1, [1, 0, 0]],
      [3, [0, 0, 1]],
    ]);
    const b = vector([[1, [0, 1, 0]]]);
    const composed = composeSteering(
      [
        { vector: a, multiplier: 2 },
        { vector: b, multiplier: -1 },
      ],
      shape,
    );
    expect(Array.from(composed?.buffer ?? [])).toEqual([2, -1, 0, 0, 0, 0, 0, 0, 2]);
    expect(composed).toMatchObject({ firstLayer: 1, lastLayer: 3 });
  });

  it("touches only the layers the vectors define", () => {
    const composed = composeSteering([{ vector: vector([[2, [1, 1, 1]]]), multiplier: 1 }], shape);
    expect(composed).toMatchObject({ firstLayer: 2, lastLayer: 2 });
  });

  it("is null when nothing steers, so zero multipliers run the unsteered path", () => {
    expect(composeSteering([], shape)).toBeNull();
    expect(
      composeSteering([{ vector: vector([[1, [1, 1, 1]]]), multiplier: 0 }], shape),
    ).toBeNull();
  });

  it("gives equal keys to equal buffers and different keys otherwise", () => {
    const v = vector([[2, [1, 2, 3]]]);
    const key = (m: number) => composeSteering([{ vector: v, multiplier: m }], shape)?.key;
    expect(key(1)).toBe(key(1));
    expect(key(1)).not.toBe(key(2));
  });

  it("rejects bad vectors and multipliers with typed errors", () => {
    const ok = vector([[1, [1, 1, 1]]]);
    expect(codeOf(() => composeSteering([{ vector: ok, multiplier: Number.NaN }], shape))).toBe(
      "invalid_multiplier",
    );
    expect(
      codeOf(() => composeSteering([{ vector: { directions: new Map() }, multiplier: 1 }], shape)),
    ).toBe("invalid_request");
    expect(codeOf(() => composeSteering([{ vector: ok, multiplier: Infinity }], shape))).toBe(
      "invalid_multiplier",
    );
    expect(
      codeOf(() => composeSteering([{ vector: vector([[1, [1, 1]]]), multiplier: 1 }], shape)),
    ).toBe("control_vector_width");
    for (const layer of [0, 4, -1, 1.5]) {
      expect(
        codeOf(() =>
          composeSteering([{ vector: vector([[layer, [1, 1, 1]]]), multiplier: 1 }], shape),
        ),
      ).toBe("layer_out_of_range");
    }
    for (const values of [
      [1, Number.NaN, 1],
      [1, Infinity, 1],
      [3e38, 3e38, 3e38],
    ]) {
      expect(
        codeOf(() => composeSteering([{ vector: vector([[1, values]]), multiplier: 1 }], shape)),
      ).toBe("control_vector_norm");
    }
  });
});
