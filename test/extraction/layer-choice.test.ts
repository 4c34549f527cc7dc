// The layer-choice rule on its own (gpu-node/extraction/layer-choice.ts): the band it keeps for
// given scores, the readability it measures on held-out pairs, and what a request's `layers`
// plans. The choice on the real model is in extract.test.ts and test/server/extractions.test.ts.
import { describe, expect, it } from "vitest";
import {
  chooseBand,
  fixedBand,
  measuredPairs,
  measureLayer,
  planLayers,
} from "../../gpu-node/extraction/layer-choice.ts";
import type { LayerScore } from "../../shared/node-api/layers.ts";

/** Scores for layers 1, 2, ... with these readabilities. */
function scores(readabilities: number[]): LayerScore[] {
  return readabilities.map((readability, i) => ({
    layer: i + 1,
    readability,
    held_out_accuracy: 1,
    held_out_explained_variance: readability,
  }));
}

describe("the band kept from the scores", () => {
  it("grows from the best layer while its neighbours read within 10% of it", () => {
    const choice = chooseBand(scores([0.1, 0.5, 0.95, 1, 0.92, 0.6, 0.99]), 32);
    expect(choice).toMatchObject({ by: "measurement", layers: [3, 4, 5] });
    expect(choice.scores).toHaveLength(7);
    expect(choice.reason).toBe(
      "the trait reads best on held-out pairs at layer 4 (readability 1.00); layers 3-5 kept, " +
        "reading within 10% of it; 0.99 at most elsewhere",
    );
  });

  it("is no wider than the fixed band", () => {
    const choice = chooseBand(scores(Array(30).fill(0.8)), 32);
    expect(choice.layers).toHaveLength(fixedBand(32).length);
    expect(choice.reason).toContain("at most 13 layers, the fixed band's width");
  });

  it("is widened to a 16th of the stack toward the better neighbour", () => {
    const choice = chooseBand(scores([0, 0.2, 1, 0.3, 0]), 32);
    expect(choice.layers).toEqual([3, 4]);
    expect(choice.reason).toContain("widened to the minimum of 2");
    expect(chooseBand(scores([0, 1, 0]), 4).layers).toEqual([2]);
  });

  it("is the fixed band when no layer reads the trait", () => {
    const choice = chooseBand(scores([0, 0, 0]), 32);
    expect(choice).toMatchObject({ by: "band", layers: fixedBand(32) });
    expect(choice.reason).toContain("no layer reads the trait");
  });
});

describe("readability on held-out pairs", () => {
  const width = 8;
  /** Deterministic values in [-1, 1). */
  const noise = (seed: number) => () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 31 - 1;
  };

  it("is near 1 where every pair differs along one direction", () => {
    const next = noise(1);
    const rows = Float32Array.from({ length: 40 * width }, (_, k) =>
      k % width === 0 ? 1 + 0.1 * next() : 0.01 * next(),
    );
    const score = measureLayer("pca", 7, rows, width);
    expect(score.layer).toBe(7);
    expect(score.held_out_accuracy).toBe(1);
    expect(score.readability).toBeGreaterThan(0.95);
  });

  it("is near 0 where each pair differs its own way", () => {
    const next = noise(2);
    const rows = Float32Array.from({ length: 40 * width }, () => next());
    const score = measureLayer("pca", 1, rows, width);
    expect(score.readability).toBeLessThan(0.15);
  });

  it("does not flatter: a direction that fits its own pairs perfectly can read nothing held out", () => {
    // Two pairs, each its own direction: either one's PCA orders itself, never the other.
    const rows = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const score = measureLayer("pca", 1, Float32Array.from([...rows, ...rows]), width);
    expect(score.readability).toBe(0);
  });
});

describe("the plan for a request's layers", () => {
  it("measures every layer but layer 0 and the last by default", () => {
    expect(planLayers(undefined, 32, 100)).toMatchObject({
      by: "measurement",
      layers: Array.from({ length: 30 }, (_, i) => i + 1),
    });
    expect(planLayers(undefined, 2, 100).layers).toEqual([1]);
  });

  it("keeps the fixed band and named layers (sorted, once each)", () => {
    expect(planLayers("band", 32, 100)).toMatchObject({ by: "band", layers: fixedBand(32) });
    expect(planLayers([5, 3, 5], 32, 100)).toMatchObject({ by: "request", layers: [3, 5] });
    expect(() => planLayers([32], 32, 100)).toThrow(/layer 32 cannot be steered/);
  });

  it("takes the fixed band, saying why, on fewer than 4 pairs", () => {
    const plan = planLayers(undefined, 32, 3);
    expect(plan).toMatchObject({ by: "band", layers: fixedBand(32) });
    expect(plan.reason).toContain("3 pairs are too few to measure layers on");
  });

  it("measures a sample spread over a large dataset", () => {
    expect(measuredPairs(3, 4)).toEqual([0, 1, 2]);
    expect(measuredPairs(10, 4)).toEqual([0, 2, 5, 7]);
  });
});
