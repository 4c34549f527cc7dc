// repeng's read_representations for one layer, written the plain way in float64 to check
// extraction against: the rows each method analyses, scikit-learn's PCA (centre the rows, take the
// covariance's top eigenvector, here by Jacobi rotations rather than power iteration), then
// repeng's sign rule (positive above negative for most pairs).

export type ReferenceMethod = "pca" | "pca_diff" | "pca_center";

/** The signed unit direction from last-token states, positive[i] paired with negative[i]. */
export function referenceDirection(
  method: ReferenceMethod,
  positive: Float32Array[],
  negative: Float32Array[],
): number[] {
  const differences = positive.map((p, i) => Array.from(p, (x, j) => x - (negative[i]?.[j] ?? 0)));
  const direction = topEigenvector(scatter(analysedRows(method, positive, negative, differences)));
  const above = differences.filter((d) => dot(d, direction) > 0).length;
  return above >= differences.length / 2 ? direction : direction.map((x) => -x);
}

function analysedRows(
  method: ReferenceMethod,
  positive: Float32Array[],
  negative: Float32Array[],
  differences: number[][],
): number[][] {
  switch (method) {
    case "pca": // no centring
      return differences;
    case "pca_diff": // repeng: PCA(n_components=1).fit(h[::2] - h[1::2])
      return centred(differences);
    case "pca_center": {
      // repeng: h with each pair's mean subtracted, then PCA (which centres again)
      const states = positive.flatMap((p, i) => {
        const n = negative[i] as Float32Array;
        const mean = Array.from(p, (x, j) => (x + (n[j] as number)) / 2);
        return [
          Array.from(p, (x, j) => x - (mean[j] as number)),
          Array.from(n, (x, j) => x - (mean[j] as number)),
        ];
      });
      return centred(states);
    }
  }
}

function centred(rows: number[][]): number[][] {
  const width = rows[0]?.length ?? 0;
  const mean = Array.from(
    { length: width },
    (_, j) => rows.reduce((sum, row) => sum + (row[j] as number), 0) / rows.length,
  );
  return rows.map((row) => row.map((x, j) => x - (mean[j] as number)));
}

/** The sum of row row^T (a covariance up to a factor, which does not move eigenvectors). */
function scatter(rows: number[][]): number[][] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, i) =>
    Array.from({ length: width }, (_, j) =>
      rows.reduce((sum, row) => sum + (row[i] as number) * (row[j] as number), 0),
    ),
  );
}

/** Cyclic Jacobi: rotate away each off-diagonal entry until the matrix is diagonal. */
function topEigenvector(symmetric: number[][]): number[] {
  const n = symmetric.length;
  const a = symmetric.map((row) => [...row]);
  const v = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  const at = (m: number[][], i: number, j: number) => (m[i] as number[])[j] as number;
  const set = (m: number[][], i: number, j: number, x: number) => {
    (m[i] as number[])[j] = x;
  };
  const size = a.flat().reduce((sum, x) => sum + x * x, 0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += at(a, p, q) ** 2;
    if (off <= 1e-28 * size) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (at(a, p, q) === 0) continue;
        const theta = (at(a, q, q) - at(a, p, p)) / (2 * at(a, p, q));
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [kp, kq] = [at(a, k, p), at(a, k, q)];
          set(a, k, p, c * kp - s * kq);
          set(a, k, q, s * kp + c * kq);
        }
        for (let k = 0; k < n; k++) {
          const [pk, qk] = [at(a, p, k), at(a, q, k)];
          set(a, p, k, c * pk - s * qk);
          set(a, q, k, s * pk + c * qk);
        }
        for (let k = 0; k < n; k++) {
          const [kp, kq] = [at(v, k, p), at(v, k, q)];
          set(v, k, p, c * kp - s * kq);
          set(v, k, q, s * kp + c * kq);
        }
      }
    }
  }
  let top = 0;
  for (let i = 1; i < n; i++) if (at(a, i, i) > at(a, top, top)) top = i;
  return v.map((row) => row[top] as number);
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);
}
