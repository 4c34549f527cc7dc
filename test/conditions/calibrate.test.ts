// Condition calibration's arithmetic on its own (gpu-node/conditions/calibrate.ts), against
// hand computations: the direction, the cosines, the threshold grid and its F1, and which layer is
// kept. On the real model, with the test model's topic words: test/server/conditions.test.ts.
import { describe, expect, it } from "vitest";
import {
  bestThreshold,
  calibrateLayer,
  chooseLayer,
  conditionDirection,
  cosineWith,
  type LayerResult,
  layerReport,
  type ThresholdScore,
} from "../../gpu-node/conditions/calibrate.ts";

const rows = (...points: number[][]) => points.map((point) => Float32Array.from(point));

/**
 * Should fire: (4, 3) and (4, -3), mean (4, 0); should not: (0, 2), (0, -2), (3, 4), (3, -4),
 * mean (1.5, 0). The direction is (1, 0); the cosines 0.8, 0.8 against 0, 0, 0.6, 0.6.
 */
const handLayer = {
  layer: 3,
  shouldFire: rows([4, 3], [4, -3]),
  shouldNotFire: rows([0, 2], [0, -2], [3, 4], [3, -4]),
};

describe("a layer's direction and cosines", () => {
  it("is the unit difference of the two sides' means", () => {
    const direction = conditionDirection(handLayer.shouldFire, handLayer.shouldNotFire);
    expect(Array.from(direction ?? [])).toEqual([1, 0]);
  });

  it("is none when the sides' means are the same", () => {
    expect(conditionDirection(rows([1, 2], [3, 4]), rows([3, 4], [1, 2]))).toBeNull();
  });

  it("reads each example as its cosine with the direction", () => {
    const direction = Float64Array.from([1, 0]);
    expect(cosineWith([4, 3], direction)).toBeCloseTo(0.8, 12);
    expect(cosineWith([3, -4], direction)).toBeCloseTo(0.6, 12);
    expect(cosineWith([0, 0], direction)).toBe(0);
  });
});

describe("the threshold grid", () => {
  it("takes the midpoint with the best F1: 0.7, above, which sorts the hand layer exactly", () => {
    // Midpoints 0.3 and 0.7: above 0.3 fires on all but the zeros (F1 2/3), above 0.7 on the
    // should-fire pair alone (F1 1); below either fires on none that should.
    const { best } = calibrateLayer(handLayer);
    expect(best?.comparator).toBe("above");
    expect(best?.threshold).toBeCloseTo(0.7, 12);
    expect(best?.f1).toBe(1);
    expect(best?.precision).toBe(1);
    expect(best?.recall).toBe(1);
    expect(best?.margin).toBeCloseTo(0.1, 12);
  });

  it("scores precision and recall where no threshold is clean", () => {
    // Cosines 0.9, 0.3 should fire; 0.5, 0.1 should not. Above 0.2: 2 of 3 fired are right, both
    // found (F1 0.8); above 0.7 F1 2/3, above or below 0.4 F1 0.5, below 0.7 F1 0.4.
    const best = bestThreshold([0.9, 0.3], [0.5, 0.1]);
    expect(best).toMatchObject({ comparator: "above", f1: expect.closeTo(0.8, 12) });
    expect(best?.threshold).toBeCloseTo(0.2, 12);
    expect(best?.precision).toBeCloseTo(2 / 3, 12);
    expect(best?.recall).toBe(1);
    expect(best?.margin).toBeCloseTo(0.1, 12);
  });

  it("fires below a threshold when the should-fire side reads lower", () => {
    const best = bestThreshold([0.1, 0.2], [0.5, 0.6]);
    expect(best).toMatchObject({ comparator: "below", f1: 1 });
    expect(best?.threshold).toBeCloseTo(0.35, 12);
  });

  it("has none when every cosine is the same", () => {
    expect(bestThreshold([0.5, 0.5], [0.5, 0.5])).toBeNull();
  });
});

describe("the layer kept", () => {
  const score = (f1: number, margin: number): ThresholdScore => ({
    comparator: "above",
    threshold: 0.5,
    f1,
    precision: f1,
    recall: f1,
    margin,
  });
  const result = (layer: number, best: ThresholdScore | null): LayerResult => ({
    layer,
    direction: best ? Float64Array.from([1, 0]) : null,
    best,
  });

  it("is the best F1", () => {
    const chosen = chooseLayer([result(1, score(0.8, 0.3)), result(2, score(1, 0.01))]);
    expect(chosen?.layer).toBe(2);
  });

  it("on equal F1, the wider margin; on equal margins too, the lower layer", () => {
    expect(chooseLayer([result(1, score(1, 0.1)), result(2, score(1, 0.2))])?.layer).toBe(2);
    expect(chooseLayer([result(5, score(1, 0.2)), result(3, score(1, 0.2))])?.layer).toBe(3);
  });

  it("skips layers without a direction, and is none when no layer has one", () => {
    expect(chooseLayer([result(1, null), result(2, score(0.5, 0.1))])?.layer).toBe(2);
    expect(chooseLayer([result(1, null)])).toBeNull();
    expect(layerReport(result(1, null))).toEqual({
      layer: 1,
      f1: 0,
      comparator: "above",
      threshold: 0,
      margin: 0,
    });
  });
});
