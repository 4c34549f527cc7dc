// The linear algebra of extraction, on rows held as one row-major Float32Array (n rows of `width`
// values) and directions in float64.
//
// PCA's first direction is found by power iteration on the scatter matrix S = sum of r r^T over
// the (centred) rows r, applied as S v = sum of r (r . v): two passes over the rows per step, so
// neither the width x width scatter nor the n x n Gram matrix is ever formed. For a model 4096
// wide that is 2 x n x 4096 multiply-adds per step, against n x 4096^2 / 2 to form S once.

/** Power iteration stops when successive directions agree to 1 - |cos| below this... */
const TOLERANCE = 1e-12;
/** ...or after this many steps (only rows with two nearly equal top variances need so many). */
const MAX_ITERATIONS = 1000;

/**
 * The unit vector v that maximises the sum of ((row - centre) . v)^2: the top right-singular
 * vector of the row matrix, centred on `centre` when given (PCA without centring otherwise).
 * Its sign is arbitrary. Null when the rows do not vary around the centre.
 */
export function topPrincipalDirection(
  rows: Float32Array,
  width: number,
  centre: Float64Array = new Float64Array(width),
): Float64Array | null {
  let direction = startVector(width);
  for (let step = 0; step < MAX_ITERATIONS; step++) {
    const next = unit(scatterTimes(rows, width, centre, direction));
    if (next === null) return null;
    const change = 1 - Math.abs(dot(next, direction));
    direction = next;
    if (change < TOLERANCE) break;
  }
  return direction;
}

/** (row - centre) . direction for every row. */
export function project(
  rows: Float32Array,
  width: number,
  direction: Float64Array,
  centre: Float64Array = new Float64Array(width),
): Float64Array {
  const scores = new Float64Array(rows.length / width);
  for (let i = 0; i < scores.length; i++) {
    let score = 0;
    for (let j = 0, k = i * width; j < width; j++, k++) {
      score += ((rows[k] as number) - (centre[j] as number)) * (direction[j] as number);
    }
    scores[i] = score;
  }
  return scores;
}

export function meanRow(rows: Float32Array, width: number): Float64Array {
  const count = rows.length / width;
  const sum = new Float64Array(width);
  for (let i = 0; i < count; i++) {
    for (let j = 0, k = i * width; j < width; j++, k++) {
      sum[j] = (sum[j] as number) + (rows[k] as number);
    }
  }
  return sum.map((total) => total / count);
}

/** The vector scaled to length 1; null for the zero vector. */
export function unit(vector: Float64Array): Float64Array | null {
  const length = Math.sqrt(dot(vector, vector));
  return length > 0 ? vector.map((x) => x / length) : null;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** S v = sum of (row - centre) ((row - centre) . v). */
function scatterTimes(
  rows: Float32Array,
  width: number,
  centre: Float64Array,
  v: Float64Array,
): Float64Array {
  const scores = project(rows, width, v, centre);
  const result = new Float64Array(width);
  scores.forEach((score, i) => {
    for (let j = 0, k = i * width; j < width; j++, k++) {
      result[j] = (result[j] as number) + score * ((rows[k] as number) - (centre[j] as number));
    }
  });
  return result;
}

/** A fixed pseudo-random start (xorshift32): deterministic, and not orthogonal to the answer. */
function startVector(width: number): Float64Array {
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32 - 0.5;
  };
  return unit(Float64Array.from({ length: width }, next)) as Float64Array;
}
