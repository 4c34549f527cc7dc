// The few statistics an evaluation reports: a mean with its 95% interval, a least-squares line,
// Spearman's rank correlation and the mean absolute error.

export interface Interval {
  mean: number;
  /** The 95% confidence interval of the mean (Student's t); equal to the mean for one value. */
  low: number;
  high: number;
}

/** Student's t at 97.5% for 1 to 30 degrees of freedom; past 30 the normal's 1.96 is close. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function meanInterval(values: readonly number[]): Interval {
  const m = mean(values);
  const n = values.length;
  if (n < 2) return { mean: m, low: m, high: m };
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (n - 1);
  const half = (T_975[n - 2] ?? 1.96) * Math.sqrt(variance / n);
  return { mean: m, low: m - half, high: m + half };
}

export interface Line {
  slope: number;
  intercept: number;
}

/** The least-squares line y = intercept + slope * x; null when x does not vary. */
export function fitLine(xs: readonly number[], ys: readonly number[]): Line | null {
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  xs.forEach((x, i) => {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * ((ys[i] as number) - my);
  });
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Spearman's rho (ties get their average rank); null when either side does not vary. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  return pearson(ranks(xs), ranks(ys));
}

export function meanAbsoluteError(xs: readonly number[], ys: readonly number[]): number {
  return mean(xs.map((x, i) => Math.abs(x - (ys[i] as number))));
}

function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const dy = (ys[i] as number) - my;
    sxy += (x - mx) * dy;
    sxx += (x - mx) ** 2;
    syy += dy ** 2;
  });
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) result[(order[i] as { index: number }).index] = rank;
    start = end + 1;
  }
  return result;
}
