// Mixing control vectors: the weighted sum the engine composes every request's steering with.
import { describe, expect, it } from "vitest";
import type { ControlVector } from "../../shared/control-vector.ts";
import { ControlVectorMathError, mixVectors } from "../../shared/control-vector-math.ts";

const vector = (layers: Record<number, number[]>, modelHint?: string): ControlVector => ({
  directions: new Map(
    Object.entries(layers).map(([layer, values]) => [Number(layer), Float32Array.from(values)]),
  ),
  ...(modelHint === undefined ? {} : { modelHint }),
});
const plain = (v: ControlVector) =>
  Object.fromEntries([...v.directions].map(([layer, values]) => [layer, Array.from(values)]));

const cheerful = vector({ 1: [1, 0, 2], 2: [0, 4, 0] }, "llama");
const formal = vector({ 2: [1, 1, 1], 3: [2, 0, -2] });

describe("mixVectors", () => {
  it("mixes several traits into one vector that steers as they do together", () => {
    const mixed = mixVectors([
      { vector: cheerful, multiplier: 0.5 },
      { vector: formal, multiplier: -2 },
      { vector: cheerful, multiplier: 0.5 },
    ]);
    expect(plain(mixed)).toEqual({ 1: [1, 0, 2], 2: [-2, 2, -2], 3: [-4, 0, 4] });
    expect(mixed.modelHint).toBe("llama");
  });

  it("keeps layers only some vectors define, in ascending order", () => {
    const mixed = mixVectors([
      { vector: formal, multiplier: 1 },
      { vector: cheerful, multiplier: 1 },
    ]);
    expect([...mixed.directions.keys()]).toEqual([1, 2, 3]);
    expect(plain(mixed)).toEqual({ 1: [1, 0, 2], 2: [1, 5, 1], 3: [2, 0, -2] });
  });

  it("sums in float64, rounding once to float32", () => {
    const tiny = vector({ 1: [2 ** -30] });
    const one = vector({ 1: [1] });
    const mixed = mixVectors([
      { vector: one, multiplier: 1 },
      { vector: tiny, multiplier: 1 },
      { vector: one, multiplier: -1 },
    ]);
    expect(plain(mixed)).toEqual({ 1: [2 ** -30] });
  });

  it("leaves its inputs alone", () => {
    const before = plain(cheerful);
    mixVectors([{ vector: cheerful, multiplier: 3 }]);
    expect(plain(cheerful)).toEqual(before);
  });

  it("refuses what does not add up", () => {
    const wide = vector({ 1: [1, 2, 3, 4] });
    const cases: [() => unknown, RegExp][] = [
      [
        () =>
          mixVectors([
            { vector: cheerful, multiplier: 1 },
            { vector: wide, multiplier: 1 },
          ]),
        /vector 1 is 4 wide but vector 0 is 3/,
      ],
      [() => mixVectors([]), /at least one vector/],
      [() => mixVectors([{ vector: cheerful, multiplier: Number.NaN }]), /multiplier 0 is NaN/],
      [() => mixVectors([{ vector: vector({}), multiplier: 1 }]), /no directions/],
      [
        () => mixVectors([{ vector: vector({ 1: [1], 2: [1, 2] }), multiplier: 1 }]),
        /differ in width/,
      ],
    ];
    for (const [run, message] of cases) {
      expect(run).toThrow(ControlVectorMathError);
      expect(run).toThrow(message);
    }
  });
});
