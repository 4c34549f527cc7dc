// The ways to turn one layer's hidden states into a direction. Each works on the pairs'
// differences d = positive - negative (everything the methods need follows from them) and gives a
// unit vector whose sign report.ts then sets.
import { EXTRACTION_METHODS, type ExtractionMethod } from "../../shared/node-api/extractions.ts";
import { meanRow, topPrincipalDirection, unit } from "./pca.ts";

export function isExtractionMethod(name: string): name is ExtractionMethod {
  return (EXTRACTION_METHODS as readonly string[]).includes(name);
}

/**
 * - pca (the default): the first principal direction of the differences, not centred: the one
 *   direction along which the pairs differ most.
 * - pca_diff: repeng's computation, the same PCA centred on the mean difference (scikit-learn's
 *   PCA centres). Centring removes what all pairs share, so when they all differ the same way it
 *   removes the trait itself and finds noise (or nothing): kept for repeng's users, never default.
 * - pca_center: PCA of all 2n hidden states after subtracting each pair's mean. Those centred
 *   states are +-d/2, so this finds pca's direction (and so does repeng's pca_center).
 * - mean_diff: the mean difference.
 * Null when the rows hold no direction (every difference zero, or, for pca_diff, all equal).
 */
export function methodDirection(
  method: ExtractionMethod,
  differences: Float32Array,
  width: number,
): Float64Array | null {
  switch (method) {
    case "pca":
      return topPrincipalDirection(differences, width);
    case "pca_diff":
      return topPrincipalDirection(differences, width, meanRow(differences, width));
    case "pca_center":
      return topPrincipalDirection(pairCentredStates(differences), width);
    case "mean_diff":
      return unit(meanRow(differences, width));
  }
}

/** positive - mean and negative - mean for every pair: the +d/2 rows, then the -d/2 rows. */
function pairCentredStates(differences: Float32Array): Float32Array {
  const halves = differences.map((x) => x / 2);
  const states = new Float32Array(2 * differences.length);
  states.set(halves, 0);
  states.set(
    halves.map((x) => -x),
    differences.length,
  );
  return states;
}
