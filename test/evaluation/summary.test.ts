// From measurements to the result: intervals, the recommended range and what limits it, the
// anti-steerable rate and the judge's calibration against human ratings, on measurements made up
// to put each rule on its edge.
import { describe, expect, it } from "vitest";
import type { EvaluationMeasurements } from "../../shared/evaluation/result.ts";
import { evaluatedMultipliers, marginsOf } from "../../shared/evaluation/settings.ts";
import { fitLine, meanInterval, spearman } from "../../shared/evaluation/statistics.ts";
import {
  qualityCard,
  ratingProblem,
  summarizeEvaluation,
} from "../../shared/evaluation/summary.ts";

/** Rows of [multiplier, trait scores per prompt, coherence per prompt, MMLU right of 10]. */
function measured(rows: [number, number[], number[], number | null][]): EvaluationMeasurements {
  return {
    descriptor: "cheerful",
    judge: { kind: "base_model", model: "test" },
    prompts: rows[0]?.[1].map((_, i) => `prompt ${i}`) ?? [],
    max_tokens: 8,
    mmlu: rows[0]?.[3] === null ? null : { questions: 10, shots: 0 },
    multipliers: rows.map(([multiplier, trait, coherence, mmlu]) => ({
      multiplier,
      answers: trait.map((score, i) => ({
        text: `answer ${i}`,
        judge_score: score,
        coherence: coherence[i] as number,
      })),
      mmlu_correct: mmlu,
      kl: Math.abs(multiplier),
    })),
  };
}

describe("statistics", () => {
  it("gives a mean's 95% interval with Student's t", () => {
    // mean 2, sample sd 1, n 4: half width t(3) * 1 / 2 = 3.182 / 2.
    const interval = meanInterval([1, 2, 3, 2]);
    expect(interval.mean).toBe(2);
    expect(interval.high - interval.mean).toBeCloseTo((3.182 * Math.sqrt(2 / 3)) / 2, 3);
    expect(meanInterval([4])).toEqual({ mean: 4, low: 4, high: 4 });
  });

  it("fits lines and ranks with ties", () => {
    expect(fitLine([0, 1, 2], [1, 3, 5])).toEqual({ slope: 2, intercept: 1 });
    expect(fitLine([1, 1], [0, 5])).toBeNull();
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9487, 4);
    expect(spearman([1, 1], [1, 2])).toBeNull();
  });
});

describe("the multipliers evaluated", () => {
  it("always include 0, once, ascending", () => {
    expect(evaluatedMultipliers([2, -1])).toEqual([-1, 0, 2]);
    expect(evaluatedMultipliers([-0, 1])).toEqual([0, 1]);
    expect(Object.is(evaluatedMultipliers([-0, 1])[0], 0)).toBe(true);
    expect(evaluatedMultipliers(undefined)).toEqual([-2, -1, 0, 1, 2]);
  });
});

describe("the recommended range", () => {
  const margins = marginsOf({});

  it("runs to the multipliers tried when nothing breaks", () => {
    const result = summarizeEvaluation({
      measurements: measured([
        [-1, [2, 2], [8, 8], 5],
        [0, [5, 5], [8, 8], 5],
        [1, [8, 8], [8, 8], 5],
      ]),
      margins,
    });
    expect(result.recommended).toEqual({
      min: -1,
      max: 1,
      trait_effect: 6,
      limited_by: { min: "tested_range", max: "tested_range" },
    });
    expect(result.multipliers.map((row) => row.mmlu_accuracy)).toEqual([0.5, 0.5, 0.5]);
  });

  it("stops before coherence falls past its margin, and before MMLU loses more points than allowed", () => {
    const rows: [number, number[], number[], number | null][] = [
      [-2, [1, 1], [5.9, 5.9], 5], // coherence 2.1 below 8: out
      [-1, [3, 3], [6.1, 6.1], 5], // 1.9 below: in
      [0, [5, 5], [8, 8], 5],
      [1, [7, 7], [8, 8], 5],
      [2, [9, 9], [8, 8], 4], // MMLU 10 points down: out
    ];
    const result = summarizeEvaluation({ measurements: measured(rows), margins });
    expect(result.recommended).toMatchObject({
      min: -1,
      max: 1,
      trait_effect: 4,
      limited_by: { min: "coherence", max: "mmlu" },
    });
    // Margins are the caller's: allowing 10 MMLU points takes +2 in.
    const wider = summarizeEvaluation({
      measurements: measured(rows),
      margins: marginsOf({ max_mmlu_drop: 10 }),
    });
    expect(wider.recommended.max).toBe(2);
  });

  it("says why there is no MMLU accuracy", () => {
    const result = summarizeEvaluation({
      measurements: measured([
        [0, [5], [8], null],
        [1, [6], [8], null],
      ]),
      margins,
      mmluNote: "no MMLU data is loaded",
    });
    expect(result.multipliers.map((row) => row.mmlu_accuracy)).toEqual([null, null]);
    expect(result.mmlu).toEqual({ questions: 0, shots: 0, note: "no MMLU data is loaded" });
  });
});

describe("anti-steerable prompts", () => {
  it("are those whose trait score falls as the multiplier rises", () => {
    const result = summarizeEvaluation({
      measurements: measured([
        [-1, [2, 6, 5, 1], [8, 8, 8, 8], null],
        [0, [5, 5, 5, 5], [8, 8, 8, 8], null],
        [1, [8, 4, 5, 9], [8, 8, 8, 8], null],
      ]),
      margins: marginsOf({}),
    });
    // Prompt 1 falls; prompt 2 does not move (not against); prompts 0 and 3 rise.
    expect(result.anti_steerable_rate).toBe(0.25);
  });
});

describe("calibration against human ratings", () => {
  const measurements = measured([
    [-1, [2, 3], [8, 8], null],
    [0, [5, 5], [8, 8], null],
    [1, [8, 9], [8, 8], null],
  ]);

  it("reports agreement and recalibrates the trait scores once three answers are rated", () => {
    // Humans score each answer one point below twice the judge's distance from 5, plus 5.
    const human = (judge: number) => 5 + 2 * (judge - 5) - 1;
    const ratings = [
      { multiplier: -1, prompt_index: 0, score: human(2) },
      { multiplier: 0, prompt_index: 1, score: human(5) },
      { multiplier: 1, prompt_index: 0, score: human(8) },
    ];
    const result = summarizeEvaluation({ measurements, margins: marginsOf({}), ratings });
    expect(result.calibration).toMatchObject({ ratings: 3, spearman: 1, applied: true });
    expect(result.calibration?.slope).toBeCloseTo(2, 10);
    expect(result.calibration?.intercept).toBeCloseTo(-6, 10);
    expect(result.calibration?.mean_absolute_error).toBeCloseTo((4 + 1 + 2) / 3, 10);
    const answer = result.multipliers[2]?.answers[1];
    expect(answer).toMatchObject({ judge_score: 9, trait_score: 10 }); // 12, clamped to the scale
    expect(result.multipliers[0]?.answers[0]?.trait_score).toBeCloseTo(0, 10); // -2, clamped
  });

  it("does not recalibrate from fewer than three ratings; a later rating of an answer wins", () => {
    const ratings = [
      { multiplier: 1, prompt_index: 0, score: 1 },
      { multiplier: 1, prompt_index: 0, score: 7 },
      { multiplier: 0, prompt_index: 0, score: 4 },
    ];
    const result = summarizeEvaluation({ measurements, margins: marginsOf({}), ratings });
    expect(result.calibration).toMatchObject({ ratings: 2, applied: false, slope: null });
    expect(result.calibration?.mean_absolute_error).toBeCloseTo(1, 10);
    expect(result.multipliers[2]?.answers[0]?.trait_score).toBe(8);
  });

  it("refuses a rating of an answer the evaluation does not hold", () => {
    expect(ratingProblem(measurements, { multiplier: 3, prompt_index: 0, score: 5 })).toMatch(
      /no multiplier 3/,
    );
    expect(ratingProblem(measurements, { multiplier: 1, prompt_index: 2, score: 5 })).toMatch(
      /2 prompts/,
    );
    expect(ratingProblem(measurements, { multiplier: 1, prompt_index: 1, score: 5 })).toBeNull();
  });
});

describe("the quality card", () => {
  it("is the result without its answers and prompts", () => {
    const result = summarizeEvaluation({
      measurements: measured([
        [0, [5], [8], 5],
        [1, [7], [8], 5],
      ]),
      margins: marginsOf({}),
    });
    const card = qualityCard("evaluation-1", 1700000000, result);
    expect(card).not.toHaveProperty("prompts");
    expect(card.multipliers[1]).not.toHaveProperty("answers");
    expect(card).toMatchObject({
      evaluation: "evaluation-1",
      recommended: result.recommended,
      multipliers: [
        { multiplier: 0, kl: 0 },
        { multiplier: 1, kl: 1 },
      ],
    });
  });
});
