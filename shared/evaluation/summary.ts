// From what a node measured to what a caller reads: per-multiplier means with intervals, the
// recommended range, the anti-steerable rate, and the judge recalibrated against human ratings. A
// pure function of its inputs, so the edge recomputes it whenever ratings arrive.
import type { EvaluationMeasurements, EvaluationResult, QualityCard, Rating } from "./result.ts";
import type { EvaluationMargins } from "./settings.ts";
import { fitLine, meanAbsoluteError, meanInterval, spearman } from "./statistics.ts";

/** Fewer rated answers than this (or all with one judge score) leave the judge's scores as they are. */
const MIN_RATINGS_TO_CALIBRATE = 3;

export interface SummaryInput {
  measurements: EvaluationMeasurements;
  margins: EvaluationMargins;
  ratings?: readonly Rating[];
  /** Why MMLU was not run, when it was not (no data loaded, none asked). */
  mmluNote?: string | null;
}

export function summarizeEvaluation(input: SummaryInput): EvaluationResult {
  const { measurements, margins } = input;
  const calibration = calibrate(measurements, input.ratings ?? []);
  const { slope, intercept } = calibration ?? {};
  const traitScore = (judge: number) =>
    slope != null && intercept != null ? clamp(intercept + slope * judge, 0, 10) : judge;
  const mmluTotal = measurements.mmlu?.questions ?? 0;

  const multipliers = measurements.multipliers.map((row) => {
    const answers = row.answers.map((answer, prompt_index) => ({
      prompt_index,
      text: answer.text,
      trait_score: traitScore(answer.judge_score),
      judge_score: answer.judge_score,
      coherence: answer.coherence,
    }));
    return {
      multiplier: row.multiplier,
      trait_score: meanInterval(answers.map((a) => a.trait_score)),
      coherence: meanInterval(answers.map((a) => a.coherence)),
      mmlu_accuracy:
        row.mmlu_correct === null || mmluTotal === 0 ? null : row.mmlu_correct / mmluTotal,
      kl: row.kl,
      answers,
    };
  });

  return {
    multipliers,
    recommended: recommendedRange(multipliers, margins),
    anti_steerable_rate: antiSteerableRate(multipliers, measurements.prompts.length),
    margins,
    mmlu: {
      questions: mmluTotal,
      shots: measurements.mmlu?.shots ?? 0,
      note: mmluTotal > 0 ? null : (input.mmluNote ?? "no MMLU questions were asked"),
    },
    judge: { ...measurements.judge, descriptor: measurements.descriptor },
    calibration,
    prompts: measurements.prompts,
  };
}

/** The result without its answers: what a trait shows as its quality card. */
export function qualityCard(
  evaluation: string,
  created: number,
  result: EvaluationResult,
): QualityCard {
  const { multipliers, prompts: _prompts, ...summary } = result;
  return {
    evaluation,
    created,
    multipliers: multipliers.map(({ answers: _answers, ...row }) => row),
    ...summary,
  };
}

type Row = EvaluationResult["multipliers"][number];
type Limit = EvaluationResult["recommended"]["limited_by"]["min"];

/**
 * Walks out from 0 in each direction while a multiplier keeps coherence and MMLU accuracy within
 * their margins of the unsteered row's; the trait effect grows with |multiplier|, so the widest
 * such run is where it is largest within the limits.
 */
function recommendedRange(rows: readonly Row[], margins: EvaluationMargins) {
  const zero = rows.findIndex((row) => row.multiplier === 0);
  const base = rows[zero] as Row;
  const failure = (row: Row): Limit | null => {
    if (row.coherence.mean < base.coherence.mean - margins.max_coherence_drop) return "coherence";
    if (
      row.mmlu_accuracy !== null &&
      base.mmlu_accuracy !== null &&
      (base.mmlu_accuracy - row.mmlu_accuracy) * 100 > margins.max_mmlu_drop
    ) {
      return "mmlu";
    }
    return null;
  };
  const walk = (step: 1 | -1) => {
    let last = zero;
    for (let i = zero + step; i >= 0 && i < rows.length; i += step) {
      const limit = failure(rows[i] as Row);
      if (limit) return { row: rows[last] as Row, limit };
      last = i;
    }
    return { row: rows[last] as Row, limit: "tested_range" as const };
  };
  const low = walk(-1);
  const high = walk(1);
  return {
    min: low.row.multiplier,
    max: high.row.multiplier,
    trait_effect: high.row.trait_score.mean - low.row.trait_score.mean,
    limited_by: { min: low.limit, max: high.limit },
  };
}

/** The share of prompts whose trait score, fitted against the multiplier, has a negative slope. */
function antiSteerableRate(rows: readonly Row[], prompts: number): number {
  if (prompts === 0) return 0;
  const xs = rows.map((row) => row.multiplier);
  let against = 0;
  for (let p = 0; p < prompts; p++) {
    const line = fitLine(
      xs,
      rows.map((row) => (row.answers[p] as Row["answers"][number]).trait_score),
    );
    if (line && line.slope < 0) against++;
  }
  return against / prompts;
}

/** What is wrong with a rating, if anything: it must name an answer the evaluation holds. */
export function ratingProblem(measurements: EvaluationMeasurements, rating: Rating): string | null {
  const row = measurements.multipliers.find((r) => r.multiplier === rating.multiplier);
  if (!row) return `the evaluation has no multiplier ${rating.multiplier}`;
  if (rating.prompt_index >= row.answers.length) {
    return `the evaluation has ${row.answers.length} prompts (indices 0 to ${row.answers.length - 1})`;
  }
  return null;
}

/** The judge against the human ratings of the answers they name (later ratings of one answer win). */
function calibrate(measurements: EvaluationMeasurements, ratings: readonly Rating[]) {
  const rated = new Map<string, { judge: number; human: number }>();
  for (const rating of ratings) {
    const row = measurements.multipliers.find((r) => r.multiplier === rating.multiplier);
    const answer = row?.answers[rating.prompt_index];
    if (answer) {
      rated.set(`${rating.multiplier}/${rating.prompt_index}`, {
        judge: answer.judge_score,
        human: rating.score,
      });
    }
  }
  if (rated.size === 0) return null;
  const judge = [...rated.values()].map((r) => r.judge);
  const human = [...rated.values()].map((r) => r.human);
  const line = rated.size >= MIN_RATINGS_TO_CALIBRATE ? fitLine(judge, human) : null;
  return {
    ratings: rated.size,
    spearman: spearman(judge, human),
    mean_absolute_error: meanAbsoluteError(judge, human),
    slope: line?.slope ?? null,
    intercept: line?.intercept ?? null,
    applied: line !== null,
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
