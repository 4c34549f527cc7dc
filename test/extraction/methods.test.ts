// The methods and their linear algebra on differences built by hand, where the answer is known.
import { describe, expect, it } from "vitest";
import { methodDirection } from "../../gpu-node/extraction/methods.ts";
import { dot, topPrincipalDirection } from "../../gpu-node/extraction/pca.ts";
import { measure, orient } from "../../gpu-node/extraction/report.ts";
import { EXTRACTION_METHODS } from "../../shared/node-api/extractions.ts";

/** Rows a * e0 + b * e1 + c * e2 for each [a, b, c]. */
const rows = (coefficients: number[][]) => Float32Array.from(coefficients.flat());

describe("the first principal direction", () => {
  it("is the axis of largest spread, centred or not", () => {
    const spread = rows([
      [3, 1, 0],
      [-3, 1, 0],
      [2, -1, 0],
      [-2, -1, 0],
    ]);
    const uncentred = topPrincipalDirection(spread, 3) ?? [];
    expect(Math.abs(uncentred[0] ?? 0)).toBeCloseTo(1, 6);
    // Shifted far along e1: uncentred PCA follows the shift, centred PCA still finds e0.
    const shifted = rows([
      [3, 11, 0],
      [-3, 11, 0],
      [2, 9, 0],
      [-2, 9, 0],
    ]);
    expect(Math.abs((topPrincipalDirection(shifted, 3) ?? [])[1] ?? 0)).toBeGreaterThan(0.99);
    const centre = Float64Array.from([0, 10, 0]);
    expect(Math.abs((topPrincipalDirection(shifted, 3, centre) ?? [])[0] ?? 0)).toBeCloseTo(1, 6);
  });

  it("is null when the rows do not vary around the centre", () => {
    expect(topPrincipalDirection(new Float32Array(6), 3)).toBeNull();
    expect(topPrincipalDirection(rows([[1, 2, 3]]), 3, Float64Array.from([1, 2, 3]))).toBeNull();
  });
});

describe("the methods", () => {
  // Every pair differs by about e0; how much varies along e1 (noise) more than along e0.
  const differences = rows([
    [1.1, 0.3, 0],
    [0.9, 0.3, 0],
    [1, -0.3, 0],
    [1, -0.3, 0],
  ]);

  it("pca, pca_center and mean_diff find the shared difference", () => {
    for (const method of ["pca", "pca_center", "mean_diff"] as const) {
      const direction = orient(
        methodDirection(method, differences, 3) ?? new Float64Array(3),
        differences,
        3,
      );
      expect(direction[0]).toBeGreaterThan(0.99);
    }
  });

  it("pca_diff, centring it away, finds the noise instead (why it is never the default)", () => {
    const direction = methodDirection("pca_diff", differences, 3) ?? [];
    expect(Math.abs(direction[1] ?? 0)).toBeGreaterThan(0.99);
  });

  it("pca and pca_center agree: a pair's centred states are +-(positive - negative)/2", () => {
    const pca = methodDirection("pca", differences, 3) ?? [];
    expect(dot(pca, methodDirection("pca_center", differences, 3) ?? [])).toBeCloseTo(1, 12);
  });

  it("give unit directions, signed toward the positive side, with a report", () => {
    for (const method of EXTRACTION_METHODS) {
      const direction = methodDirection(method, differences, 3) as Float64Array;
      expect(dot(direction, direction)).toBeCloseTo(1, 12);
      const flipped = orient(
        direction.map((x) => -x),
        differences,
        3,
      );
      expect(dot(flipped, orient(direction, differences, 3))).toBeCloseTo(1, 12);
    }
    const report = measure(7, Float64Array.from([1, 0, 0]), differences, 3);
    expect(report).toEqual({
      layer: 7,
      separation: 1,
      explainedVariance: expect.closeTo(4.02 / (4.02 + 0.36), 6),
      meanGap: 1,
    });
  });

  it("count a pair as separated only when its positive side projects above", () => {
    const mixed = rows([
      [1, 0, 0],
      [1, 0, 0],
      [-1, 0, 0],
    ]);
    const direction = orient(Float64Array.from([-1, 0, 0]), mixed, 3);
    expect(direction[0]).toBe(1);
    expect(measure(1, direction, mixed, 3).separation).toBeCloseTo(2 / 3, 12);
  });
});
