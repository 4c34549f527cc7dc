// People's trait scores for some of a succeeded evaluation's answers. They are kept with its
// measurements in R2, one per answer (a later rating of an answer replaces the earlier one), and
// the result recalibrates the judge's scores by them (shared/evaluation/summary.ts); the trait's
// quality card follows when it is this evaluation's.
import type { Rating } from "../../../shared/evaluation/result.ts";
import { ratingProblem } from "../../../shared/evaluation/summary.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Backend } from "../lib/backend.ts";
import { refreshQualityCard } from "./quality.ts";
import { changeStored, type EvaluationRow, type StoredEvaluation } from "./records.ts";

export async function rateEvaluation(
  backend: Backend,
  row: EvaluationRow,
  ratings: readonly Rating[],
): Promise<StoredEvaluation> {
  if (row.status !== "succeeded") {
    const message = `the evaluation is ${row.status}: only a succeeded evaluation's answers can be rated`;
    throw new ApiError(409, message, "evaluation_not_succeeded", "id");
  }
  const stored = await changeStored(backend.bucket, row.id, (current) => {
    const { measurements } = current;
    if (!measurements) throw new Error(`evaluation ${row.id} succeeded without measurements`);
    ratings.forEach((rating, i) => {
      const problem = ratingProblem(measurements, rating);
      if (!problem) return;
      // ratingProblem says what is wrong, not of which field: with the first prompt (every
      // evaluation has one) in its place, a problem that remains is the multiplier's.
      const multiplierWrong = ratingProblem(measurements, { ...rating, prompt_index: 0 });
      const param = `ratings[${i}].${multiplierWrong ? "multiplier" : "prompt_index"}`;
      throw new ApiError(400, `${param}: ${problem}`, "unknown_answer", param);
    });
    return { ...current, ratings: latestPerAnswer([...current.ratings, ...ratings]) };
  });
  await refreshQualityCard(backend.db, row, stored);
  return stored;
}

/** One rating per answer: the last given. */
function latestPerAnswer(ratings: readonly Rating[]): Rating[] {
  const byAnswer = new Map<string, Rating>();
  for (const rating of ratings) {
    const answer = `${rating.multiplier}/${rating.prompt_index}`;
    byAnswer.delete(answer);
    byAnswer.set(answer, rating);
  }
  return [...byAnswer.values()];
}
