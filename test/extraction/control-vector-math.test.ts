// Control-vector arithmetic: sums, differences, scaling, normalising and mixing traits.
import { describe, expect, it } from "vitest";
import type { ControlVector } from "../../shared/control-vector.ts";
import {
  addVectors,
  ControlVectorMathError,
  mixVectors,
  normalizeVector,
  scaleVector,
  subtractVectors,
  vectorWidth,
} from "../../shared/control-vector-math.ts";

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

describe("control-vector arithmetic", () => {
  it("adds and subtracts layer by layer, keeping layers only one side has", () => {
    expect(plain(addVectors(cheerful, formal))).toEqual({
      1: [1, 0, 2],
      2: [1, 5, 1],
      3: [2, 0, -2],
    });
    expect(plain(subtractVectors(cheerful, formal))).toEqual({
      1: [1, 0, 2],
      2: [-1, 3, -1],
      3: [-2, 0, 2],
    });
    expect(addVectors(cheerful, formal).modelHint).toBe("llama");
  });

  it("scales", () => {
    expect(plain(scaleVector(cheerful, -0.5))).toEqual({ 1: [-0.5, 0, -1], 2: [0, -2, 0] });
  });

  it("normalises every layer to a length", () => {
    expect(plain(normalizeVector(vector({ 1: [3, 4], 2: [0, -2] })))).toEqual({
      1: [Math.fround(0.6), Math.fround(0.8)],
      2: [0, -1],
    });
    expect(plain(normalizeVector(vector({ 1: [3, 4] }), 10))).toEqual({ 1: [6, 8] });
  });

  it("mixes several traits into one vector that steers as they do together", () => {
    const mixed = mixVectors([
      { vector: cheerful, multiplier: 0.5 },
      { vector: formal, multiplier: -2 },
      { vector: cheerful, multiplier: 0.5 },
    ]);
    expect(plain(mixed)).toEqual({ 1: [1, 0, 2], 2: [-2, 2, -2], 3: [-4, 0, 4] });
  });

  it("leaves its inputs alone", () => {
    const before = plain(cheerful);
    normalizeVector(scaleVector(addVectors(cheerful, cheerful), 3));
    expect(plain(cheerful)).toEqual(before);
  });

  it("refuses what does not add up", () => {
    const wide = vector({ 1: [1, 2, 3, 4] });
    const cases: [() => unknown, RegExp][] = [
      [() => addVectors(cheerful, wide), /vector 1 is 4 wide but vector 0 is 3/],
      [() => mixVectors([]), /at least one vector/],
      [() => scaleVector(cheerful, Number.NaN), /multiplier 0 is NaN/],
      [() => normalizeVector(vector({ 1: [0, 0] })), /layer 1's direction is zero/],
      [() => normalizeVector(cheerful, Number.POSITIVE_INFINITY), /not a finite number/],
      [() => vectorWidth(vector({})), /no directions/],
      [() => vectorWidth(vector({ 1: [1], 2: [1, 2] })), /differ in width/],
    ];
    for (const [run, message] of cases) {
      expect(run).toThrow(ControlVectorMathError);
      expect(run).toThrow(message);
    }
  });
});
