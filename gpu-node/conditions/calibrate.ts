// Condition calibration's arithmetic, CAST's method: from each example's mean hidden state at a
// layer, the direction that separates the two sides there (the normalized difference of their
// means), each example's cosine with it, and the threshold on that cosine that sorts the examples
// best, by F1; then the layer whose best is best. Pure: measure.ts reads the states.
import type { ConditionComparator, LayerCalibration } from "../../shared/node-api/conditions.ts";
import { dot, unit } from "../extraction/pca.ts";

/** One layer's mean states, a Float32Array per example, on each side. */
export interface LayerMeans {
  layer: number;
  shouldFire: readonly Float32Array[];
  shouldNotFire: readonly Float32Array[];
}

/** What the examples' cosines give at a threshold. */
export interface ThresholdScore {
  comparator: ConditionComparator;
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
  /** The distance from the threshold to the nearest example's cosine. */
  margin: number;
}

export interface LayerResult {
  layer: number;
  /** Unit length; null when the two sides' means are the same. */
  direction: Float64Array | null;
  /** Null when no threshold parts the examples (every cosine the same). */
  best: ThresholdScore | null;
}

/**
 * Means closer than this, relative to their norms, are the same states: one text decoded in
 * another batch reads differently by float rounding alone (about 1e-7 here), where prompts that
 * differ by a word differ by a few percent.
 */
const SAME_STATES = 1e-4;

/** The unit difference mean(should fire) - mean(should not); null when they are the same. */
export function conditionDirection(
  shouldFire: readonly Float32Array[],
  shouldNotFire: readonly Float32Array[],
): Float64Array | null {
  const fire = meanOf(shouldFire);
  const notFire = meanOf(shouldNotFire);
  const difference = fire.map((x, i) => x - (notFire[i] as number));
  const scale = Math.max(norm(fire), norm(notFire));
  return norm(difference) > SAME_STATES * scale ? unit(difference) : null;
}

/** cos(state, direction) for a unit direction, within -1 to 1 (0 for a zero state). */
export function cosineWith(state: ArrayLike<number>, direction: Float64Array): number {
  const length = norm(state);
  if (length === 0) return 0;
  return Math.max(-1, Math.min(1, dot(state, direction) / length));
}

/**
 * The best threshold on the examples' cosines: every midpoint between two neighbouring distinct
 * cosines, with either comparator, scored by F1 against which side each example is on; ties go
 * to the wider margin, then to the first tried (lower threshold, above before below). Null when
 * every cosine is the same.
 */
export function bestThreshold(
  shouldFire: readonly number[],
  shouldNotFire: readonly number[],
): ThresholdScore | null {
  const values = [...new Set([...shouldFire, ...shouldNotFire])].sort((a, b) => a - b);
  let best: ThresholdScore | null = null;
  for (let i = 1; i < values.length; i++) {
    const threshold = ((values[i - 1] as number) + (values[i] as number)) / 2;
    for (const comparator of ["above", "below"] as const) {
      const score = scoreThreshold(shouldFire, shouldNotFire, comparator, threshold);
      if (!best || better(score, best)) best = score;
    }
  }
  return best;
}

/** How a comparator and threshold sort the examples: F1, precision, recall, and margin. */
export function scoreThreshold(
  shouldFire: readonly number[],
  shouldNotFire: readonly number[],
  comparator: ConditionComparator,
  threshold: number,
): ThresholdScore {
  const fires = (value: number) => (comparator === "above" ? value > threshold : value < threshold);
  const truePositives = shouldFire.filter(fires).length;
  const falsePositives = shouldNotFire.filter(fires).length;
  const precision =
    truePositives + falsePositives > 0 ? truePositives / (truePositives + falsePositives) : 0;
  const recall = shouldFire.length > 0 ? truePositives / shouldFire.length : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const margin = Math.min(
    ...[...shouldFire, ...shouldNotFire].map((value) => Math.abs(value - threshold)),
  );
  return { comparator, threshold, f1, precision, recall, margin };
}

/** One layer: its direction, the examples' cosines with it, and their best threshold. */
export function calibrateLayer({ layer, shouldFire, shouldNotFire }: LayerMeans): LayerResult {
  const direction = conditionDirection(shouldFire, shouldNotFire);
  if (!direction) return { layer, direction, best: null };
  const cosines = (states: readonly Float32Array[]) =>
    states.map((state) => cosineWith(state, direction));
  return { layer, direction, best: bestThreshold(cosines(shouldFire), cosines(shouldNotFire)) };
}

/**
 * The layer calibration keeps: the best F1, ties to the wider margin, then to the lower layer.
 * Null when no layer has a threshold at all.
 */
export function chooseLayer(
  results: readonly LayerResult[],
): (LayerResult & { direction: Float64Array; best: ThresholdScore }) | null {
  let chosen: (LayerResult & { direction: Float64Array; best: ThresholdScore }) | null = null;
  const ascending = [...results].sort((a, b) => a.layer - b.layer);
  for (const result of ascending) {
    const { direction, best } = result;
    if (!direction || !best) continue;
    if (!chosen || better(best, chosen.best)) chosen = { ...result, direction, best };
  }
  return chosen;
}

/** A layer's line in the answer: its best threshold (F1 0 where none parts the examples). */
export function layerReport({ layer, best }: LayerResult): LayerCalibration {
  if (!best) return { layer, f1: 0, comparator: "above", threshold: 0, margin: 0 };
  const { f1, comparator, threshold, margin } = best;
  return { layer, f1, comparator, threshold, margin };
}

/** A higher F1, or as high with a wider margin. */
function better(score: ThresholdScore, than: ThresholdScore): boolean {
  return score.f1 > than.f1 || (score.f1 === than.f1 && score.margin > than.margin);
}

function meanOf(rows: readonly Float32Array[]): Float64Array {
  const width = rows[0]?.length ?? 0;
  const sum = new Float64Array(width);
  for (const row of rows)
    for (let j = 0; j < width; j++) sum[j] = (sum[j] as number) + (row[j] as number);
  return sum.map((total) => total / Math.max(1, rows.length));
}

function norm(vector: ArrayLike<number>): number {
  return Math.sqrt(dot(vector, vector));
}
