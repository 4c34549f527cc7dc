// Evaluations as the edge keeps them: a D1 row each (who asked, which trait, its job and status),
// and in R2, evaluations/<id>.json, what is too large for a row: the request its node was given
// (sent again if a node loses the job), the node's measurements and people's ratings. Every read
// is scoped to the caller's account: another account's evaluation is never found.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type {
  EvaluationMeasurements,
  EvaluationResult,
  Rating,
} from "../../../shared/evaluation/result.ts";
import type { EvaluationMargins } from "../../../shared/evaluation/settings.ts";
import { summarizeEvaluation } from "../../../shared/evaluation/summary.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodeEvaluationRequest } from "../../../shared/node-api/evaluations.ts";
import type { Evaluation } from "../api/evaluations.ts";
import { evaluations } from "../db/schema.ts";
import type { Db } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";

export type EvaluationRow = typeof evaluations.$inferSelect;

/** What R2 keeps of an evaluation. */
export interface StoredEvaluation {
  request: NodeEvaluationRequest;
  /** Its model's base model, which its job's node must serve (absent: stored before it was kept). */
  baseModel?: string;
  margins: EvaluationMargins;
  /** Why no MMLU questions were asked, when the reason is the deployment's (none loaded). */
  mmluNote: string | null;
  /** Once its job succeeded. */
  measurements: EvaluationMeasurements | null;
  /** One per rated answer, the latest given. */
  ratings: Rating[];
}

function storedKey(id: string): string {
  return `evaluations/${id}.json`;
}

/** Stores an evaluation whose job a node has just taken: R2 first, so that no row lacks it. */
export async function insertEvaluation(
  db: Db,
  bucket: R2Bucket,
  row: Omit<EvaluationRow, "createdAt" | "updatedAt">,
  stored: StoredEvaluation,
): Promise<EvaluationRow> {
  await bucket.put(storedKey(row.id), JSON.stringify(stored));
  const [inserted] = await db
    .insert(evaluations)
    .values({ ...row, updatedAt: Date.now() })
    .returning();
  if (!inserted) throw new Error(`evaluation ${row.id} was not stored`);
  return inserted;
}

export async function readStored(bucket: R2Bucket, id: string): Promise<StoredEvaluation> {
  const object = await bucket.get(storedKey(id));
  if (!object) throw new Error(`evaluation ${id} is missing from storage`);
  return object.json<StoredEvaluation>();
}

/**
 * Changes what R2 keeps of an evaluation, read and written whole: `change` answers the new value,
 * or null to leave it be. A write that another overtook (two ratings at once) is done again on
 * what that one left. Answers what is stored after.
 */
export async function changeStored(
  bucket: R2Bucket,
  id: string,
  change: (stored: StoredEvaluation) => StoredEvaluation | null,
): Promise<StoredEvaluation> {
  for (;;) {
    const object = await bucket.get(storedKey(id));
    if (!object) throw new Error(`evaluation ${id} is missing from storage`);
    const stored = await object.json<StoredEvaluation>();
    const changed = change(stored);
    if (!changed) return stored;
    const written = await bucket.put(storedKey(id), JSON.stringify(changed), {
      onlyIf: { etagMatches: object.etag },
    });
    if (written) return changed;
  }
}

/** The caller's evaluation, or a 404: another account's is as unknown as a made-up one. */
export async function requireEvaluation(
  db: Db,
  accountId: string,
  id: string,
): Promise<EvaluationRow> {
  const [row] = await db
    .select()
    .from(evaluations)
    .where(and(eq(evaluations.id, id), eq(evaluations.accountId, accountId)));
  if (!row) {
    throw new ApiError(404, `no evaluation ${JSON.stringify(id)}`, "evaluation_not_found", "id");
  }
  return row;
}

/** The account's evaluations, newest first. */
export function listEvaluations(
  db: Db,
  accountId: string,
  page: { limit: number; offset: number },
): Promise<EvaluationRow[]> {
  return (
    db
      .select()
      .from(evaluations)
      .where(eq(evaluations.accountId, accountId))
      // Evaluations made in the same millisecond keep their order of insertion.
      .orderBy(desc(evaluations.createdAt), desc(sql`rowid`))
      .limit(page.limit)
      .offset(page.offset)
  );
}

/** Evaluations still running, in every account, least recently updated first (for the cron). */
export function unfinishedEvaluations(db: Db, limit: number): Promise<EvaluationRow[]> {
  return db
    .select()
    .from(evaluations)
    .where(inArray(evaluations.status, ["queued", "running"]))
    .orderBy(evaluations.updatedAt)
    .limit(limit);
}

export function isUnfinished(row: EvaluationRow): boolean {
  return row.status === "queued" || row.status === "running";
}

/** Changes the row only if no other pass has moved it on since `row` was read. */
export async function updateEvaluation(
  db: Db,
  row: EvaluationRow,
  changes: Partial<EvaluationRow>,
): Promise<boolean> {
  const changed = await db
    .update(evaluations)
    .set({ ...changes, updatedAt: Date.now() })
    .where(
      and(
        eq(evaluations.id, row.id),
        eq(evaluations.status, row.status),
        eq(evaluations.attempts, row.attempts),
      ),
    )
    .returning({ id: evaluations.id });
  return changed.length > 0;
}

export async function deleteEvaluation(db: Db, bucket: R2Bucket, id: string): Promise<void> {
  await db.delete(evaluations).where(eq(evaluations.id, id));
  await bucket.delete(storedKey(id));
}

/** The API's shape; what R2 keeps of it gives a succeeded one's result. */
export function toApiEvaluation(row: EvaluationRow, stored: StoredEvaluation | null): Evaluation {
  return {
    id: row.id,
    object: "evaluation",
    model: row.modelId,
    trait: row.trait,
    status: row.status,
    progress: row.progress,
    created: unixSeconds(row.createdAt),
    failure_reason: row.status === "failed" || row.status === "cancelled" ? row.error : null,
    result: row.status === "succeeded" && stored ? resultOf(stored) : null,
  };
}

/** An evaluation as the API shows it, with its result when it has one. */
export async function apiEvaluation(bucket: R2Bucket, row: EvaluationRow): Promise<Evaluation> {
  const stored = row.status === "succeeded" ? await readStored(bucket, row.id) : null;
  return toApiEvaluation(row, stored);
}

/** What the caller reads of the measurements (recalibrated by the ratings); none before them. */
export function resultOf(stored: StoredEvaluation): EvaluationResult | null {
  if (!stored.measurements) return null;
  return summarizeEvaluation({
    measurements: stored.measurements,
    margins: stored.margins,
    ratings: stored.ratings,
    mmluNote: stored.mmluNote,
  });
}
