// A direction's sign, and how well it separates the pairs at its layer: what users choose layers
// (and multipliers) by. Both read the projections of the differences d = positive - negative.
import { dot, project } from "./pca.ts";

export interface LayerReport {
  layer: number;
  /** Fraction of pairs whose positive text projects above its negative one (0.5 is chance). */
  separation: number;
  /**
   * Share of the pairs' squared differences that lies along the direction, sum (d . v)^2 over
   * sum |d|^2: 1 when the pairs differ along it alone.
   */
  explainedVariance: number;
  /**
   * Mean of d . v: how far apart positive and negative states lie along the direction, in the
   * residual stream's units. Directions are unit length, so a multiplier of meanGap moves a state
   * as far as from a negative example to its positive one.
   */
  meanGap: number;
}

/**
 * The direction, negated if need be so that positive texts project above negative ones for most
 * pairs (as repeng does); on a tie, on average.
 */
export function orient(
  direction: Float64Array,
  differences: Float32Array,
  width: number,
): Float64Array {
  const gaps = project(differences, width, direction);
  const above = gaps.filter((gap) => gap > 0).length;
  const below = gaps.filter((gap) => gap < 0).length;
  const flip = above === below ? mean(gaps) < 0 : below > above;
  return flip ? direction.map((x) => -x) : direction;
}

export function measure(
  layer: number,
  direction: Float64Array,
  differences: Float32Array,
  width: number,
): LayerReport {
  const gaps = project(differences, width, direction);
  return {
    layer,
    separation: gaps.filter((gap) => gap > 0).length / gaps.length,
    explainedVariance: dot(gaps, gaps) / dot(differences, differences),
    meanGap: mean(gaps),
  };
}

function mean(values: Float64Array): number {
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}
