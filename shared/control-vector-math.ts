// Mixing control vectors. Steering adds multiplier x direction to the residual stream at each
// layer, so traits combine linearly: a weighted sum of vectors steers as the terms do together,
// and one vector can stand for a whole steering (say "cheerful 0.8, formal -0.3"). The engine
// composes every request's steering with it (gpu-node/engine/steering.ts). The inputs are never
// changed; sums are taken in float64.
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

/** The number of values per direction, the same on every layer. */
function vectorWidth(vector: ControlVector): number {
  const widths = new Set([...vector.directions.values()].map((direction) => direction.length));
  if (widths.size === 0) throw new ControlVectorMathError("the vector has no directions");
  if (widths.size > 1) {
    throw new ControlVectorMathError(
      `the vector's directions differ in width (${[...widths].join(", ")})`,
    );
  }
  return [...widths][0] as number;
}
