// A trait's quality card: the answer-free summary of its latest succeeded evaluation, kept with
// the trait, so that its model shows it (GET /v1/steerable-models) and a preset published from it
// carries it into the marketplace.
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { QualityCard } from "../../../shared/evaluation/result.ts";
import { qualityCard } from "../../../shared/evaluation/summary.ts";
import type { TraitQuality } from "../api/steerable-models.ts";
import { traits } from "../db/schema.ts";
import type { Db } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import { type EvaluationRow, resultOf, type StoredEvaluation } from "./records.ts";

/** Trait name -> its card, as a model or a preset shows them: of the traits that have one. */
export function traitQuality(
  traitList: readonly { name: string; quality?: QualityCard | null }[],
): TraitQuality {
  return Object.fromEntries(
    traitList.flatMap((trait) => (trait.quality ? [[trait.name, trait.quality]] : [])),
  );
}

/** The evaluation that has just succeeded gives its trait's card (the model may be gone). */
export function saveQualityCard(db: Db, row: EvaluationRow, stored: StoredEvaluation) {
  return writeCard(db, row, stored);
}

/** New ratings recalibrate the card, if it is still this evaluation's. */
export function refreshQualityCard(db: Db, row: EvaluationRow, stored: StoredEvaluation) {
  return writeCard(
    db,
    row,
    stored,
    sql`json_extract(${traits.quality}, '$.evaluation') = ${row.id}`,
  );
}

async function writeCard(
  db: Db,
  row: EvaluationRow,
  stored: StoredEvaluation,
  condition?: SQL,
): Promise<void> {
  const result = resultOf(stored);
  if (!result) return;
  await db
    .update(traits)
    .set({ quality: qualityCard(row.id, unixSeconds(row.createdAt), result) })
    .where(and(eq(traits.modelId, row.modelId), eq(traits.name, row.trait), condition));
}
