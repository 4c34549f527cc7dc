// Arithmetic on control vectors. Steering adds multiplier x direction to the residual stream at
// each layer, so traits combine linearly: a weighted sum of vectors steers as the terms do
// together, and one vector can stand for a whole steering (say "cheerful 0.8, formal -0.3").
// Pure functions: the inputs are never changed. Sums are taken in float64.
import type { ControlVector } from "./control-vector.ts";

export class ControlVectorMathError extends Error {
  override name = "ControlVectorMathError";
}

/** A vector and its weight; the shape of the engine's steering terms. */
export interface WeightedVector {
  vector: ControlVector;
  multiplier: number;
}

/**
 * The weighted sum, layer by layer: a layer defined by only some of the vectors takes their
 * terms alone. Every vector must have the same width. The model hint is the first one given.
 */
export function mixVectors(terms: readonly WeightedVector[]): ControlVector {
  if (terms.length === 0) throw new ControlVectorMathError("mixing needs at least one vector");
  const width = vectorWidth((terms[0] as WeightedVector).vector);
  const sums = new Map<number, Float64Array>();
  terms.forEach(({ vector, multiplier }, i) => {
    if (!Number.isFinite(multiplier))
      throw new ControlVectorMathError(`multiplier ${i} is ${multiplier}, not a finite number`);
    const termWidth = vectorWidth(vector);
    if (termWidth !== width) {
      throw new ControlVectorMathError(
        `vector ${i} is ${termWidth} wide but vector 0 is ${width}: they are for different models`,
      );
    }
    for (const [layer, direction] of vector.directions) {
      const sum = sums.get(layer) ?? new Float64Array(width);
      direction.forEach((x, j) => {
        sum[j] = (sum[j] as number) + multiplier * x;
      });
      sums.set(layer, sum);
    }
  });
  const directions = new Map(
    [...sums].sort(([a], [b]) => a - b).map(([layer, sum]) => [layer, Float32Array.from(sum)]),
  );
  const modelHint = terms.find((term) => term.vector.modelHint !== undefined)?.vector.modelHint;
  return modelHint === undefined ? { directions } : { directions, modelHint };
}

export function addVectors(a: ControlVector, b: ControlVector): ControlVector {
  return mixVectors([
    { vector: a, multiplier: 1 },
    { vector: b, multiplier: 1 },
  ]);
}

export function subtractVectors(a: ControlVector, b: ControlVector): ControlVector {
  return mixVectors([
    { vector: a, multiplier: 1 },
    { vector: b, multiplier: -1 },
  ]);
}

export function scaleVector(vector: ControlVector, factor: number): ControlVector {
  return mixVectors([{ vector, multiplier: factor }]);
}

/** Every layer's direction rescaled to `length` (1: unit directions, as extraction writes). */
export function normalizeVector(vector: ControlVector, length = 1): ControlVector {
  if (!Number.isFinite(length))
    throw new ControlVectorMathError(`length is ${length}, not a finite number`);
  vectorWidth(vector);
  const directions = new Map<number, Float32Array>();
  for (const [layer, direction] of vector.directions) {
    const norm = Math.sqrt(direction.reduce((sum, x) => sum + x * x, 0));
    if (norm === 0)
      throw new ControlVectorMathError(`layer ${layer}'s direction is zero: it has no direction`);
    directions.set(
      layer,
      Float32Array.from(direction, (x) => (x / norm) * length),
    );
  }
  return { ...vector, directions };
}

/** The number of values per direction, the same on every layer. */
export function vectorWidth(vector: ControlVector): number {
  const widths = new Set([...vector.directions.values()].map((direction) => direction.length));
  if (widths.size === 0) throw new ControlVectorMathError("the vector has no directions");
  if (widths.size > 1) {
    throw new ControlVectorMathError(
      `the vector's directions differ in width (${[...widths].join(", ")})`,
    );
  }
  return [...widths][0] as number;
}
