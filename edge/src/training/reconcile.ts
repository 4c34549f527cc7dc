// Training a steerable model: each trait is an extraction job on a GPU node, and the model's status
// follows its traits: pending (no job yet) -> training -> ready (every trait has its vector in R2)
// or failed (failure_reason says why). Nothing pushes news from the nodes: the state is brought up
// to date, "reconciled", whenever a model is read and by the cron, so it always reflects what the
// nodes know. A job that failed, that its node forgot (restarted) or whose node cannot be reached
// is submitted again, to whichever node is healthy, until the trait has had MAX_ATTEMPTS jobs. A
// submission no node takes costs no try: it is tried again later, with growing waits, and fails
// only when the nodes stay unavailable for minutes (retry.ts); one a node refuses (its dataset)
// fails at once.
//
// Reconciling passes may overlap (two reads, a read and the cron): every change to a trait is
// conditional on the state the pass read (status and attempts), so one pass wins and the other
// changes nothing; a job submitted by the loser is cancelled.
import { and, eq, inArray } from "drizzle-orm";
import { ApiError } from "../../../shared/http/api-error.ts";
import { type ModelStatus, steerableModels, traits } from "../db/schema.ts";
import type { Bindings } from "../env.ts";
import { type Db, database } from "../lib/db.ts";
import {
  cancelExtraction,
  pollExtraction,
  type SubmittedJob,
  submitExtraction,
} from "../nodes/extractions.ts";
import { NodePool } from "../nodes/pool.ts";
import { storeVector } from "../nodes/vectors.ts";
import { cachePresetVectors } from "../presets/cache.ts";
import { extractionRequest } from "./extraction-request.ts";
import {
  isTraining,
  type ModelRecord,
  type ModelRow,
  type TraitRow,
  unfinishedModels,
} from "./models.ts";
import { afterUnavailable, isDue, type RetryPolicy, retryPolicyOf } from "./retry.ts";

/** Jobs per trait, resubmissions after a lost or failed job included. */
export const MAX_ATTEMPTS = 3;

export interface Trainer {
  db: Db;
  pool: NodePool;
  bucket: R2Bucket;
  retry: RetryPolicy;
}

export function trainerFor(env: Bindings): Trainer {
  return {
    db: database(env.DB),
    pool: NodePool.fromEnv(env),
    bucket: env.VECTORS,
    retry: retryPolicyOf(env),
  };
}

/** Moves each of the model's traits on as far as its job allows, then settles its status. */
export async function reconcileModel(trainer: Trainer, model: ModelRecord): Promise<void> {
  if (!isTraining(model)) return;
  await Promise.all(model.traits.map((trait) => advanceTrait(trainer, model, trait)));
  await settleModel(trainer, model);
}

/** Reconciles once the answer is out (a new model's first jobs), under waitUntil. */
export function reconcileLater(
  trainer: Trainer,
  context: Pick<ExecutionContext, "waitUntil">,
  model: ModelRecord,
): void {
  context.waitUntil(reconcileLogged(trainer, model));
}

/** The cron's pass over every account's unfinished models. */
export async function reconcileAll(trainer: Trainer, limit = 50): Promise<void> {
  for (const model of await unfinishedModels(trainer.db, limit)) {
    await reconcileLogged(trainer, model);
  }
}

/** With nobody to answer, a failure (D1, say) is logged; the next pass tries again. */
function reconcileLogged(trainer: Trainer, model: ModelRecord): Promise<void> {
  return reconcileModel(trainer, model).catch((error) =>
    console.error(`reconciling ${model.id} failed`, error),
  );
}

async function advanceTrait(trainer: Trainer, model: ModelRow, trait: TraitRow): Promise<void> {
  if (trait.status === "pending") {
    // Before its next try is due, a read costs no call to a node.
    if (isDue(trait, Date.now())) await submit(trainer, model, trait);
    return;
  }
  if (trait.status !== "training") return;
  const job = jobOf(trait);
  if (!job) return retry(trainer, model, trait, "its job was lost");
  const polled = await pollExtraction(trainer.pool, job);
  if (polled.state === "working") return;
  if (polled.state === "failed") return retry(trainer, model, trait, polled.reason);
  const stored = await storeVector(trainer.pool, trainer.bucket, job.node, polled.vectorId).catch(
    (error: Error) => error,
  );
  if (stored instanceof Error) return retry(trainer, model, trait, stored.message);
  await updateTrait(trainer.db, trait, { status: "ready", vectorHash: stored, error: null });
}

async function submit(trainer: Trainer, model: ModelRow, trait: TraitRow): Promise<void> {
  let job: SubmittedJob;
  try {
    const examples = { positive: trait.positiveExamples, negative: trait.negativeExamples };
    job = await submitExtraction(trainer.pool, extractionRequest(model, examples));
  } catch (error) {
    const { message } = error as Error;
    // A dataset the node refuses will be refused again: only an unavailable node is worth retrying.
    const refused = error instanceof ApiError && error.status < 500;
    const changes = refused
      ? { status: "failed" as const, error: `the GPU node refused its extraction: ${message}` }
      : afterUnavailable(trainer.retry, trait, message, Date.now());
    await updateTrait(trainer.db, trait, changes);
    return;
  }
  const claimed = await updateTrait(trainer.db, trait, {
    attempts: trait.attempts + 1,
    status: "training",
    jobNode: job.node,
    jobId: job.jobId,
    error: null,
    unavailableSince: null,
    retryAt: null,
  });
  if (!claimed) await cancelExtraction(trainer.pool, job);
}

/** A job that ended without a vector: submitted again, unless the trait has had its tries. */
async function retry(
  trainer: Trainer,
  model: ModelRow,
  trait: TraitRow,
  reason: string,
): Promise<void> {
  if (trait.attempts >= MAX_ATTEMPTS) {
    await updateTrait(trainer.db, trait, { status: "failed", error: reason });
    return;
  }
  const changes = { status: "pending", jobNode: null, jobId: null, error: reason } as const;
  if (await updateTrait(trainer.db, trait, changes)) {
    await submit(trainer, model, { ...trait, ...changes });
  }
}

/** Changes the trait only if no other pass has moved it on since `trait` was read. */
async function updateTrait(db: Db, trait: TraitRow, changes: Partial<TraitRow>): Promise<boolean> {
  const changed = await db
    .update(traits)
    .set(changes)
    .where(
      and(
        eq(traits.modelId, trait.modelId),
        eq(traits.name, trait.name),
        eq(traits.status, trait.status),
        eq(traits.attempts, trait.attempts),
      ),
    )
    .returning({ name: traits.name });
  return changed.length > 0;
}

/** The model's status from its traits' as they now are; on success, a preset's cache is filled. */
async function settleModel(trainer: Trainer, model: ModelRow): Promise<void> {
  const { db } = trainer;
  const current = await db.select().from(traits).where(eq(traits.modelId, model.id));
  const status = modelStatus(current);
  const failed = current.find((trait) => trait.status === "failed");
  const settled = await db
    .update(steerableModels)
    .set({
      status,
      failureReason: failed ? `trait ${failed.name}: ${failed.error}` : null,
      updatedAt: Date.now(),
    })
    .where(
      and(
        eq(steerableModels.id, model.id),
        inArray(steerableModels.status, ["pending", "training"]),
      ),
    )
    .returning({ id: steerableModels.id });
  if (settled.length === 0) return;
  if (failed) await cancelJobs(trainer, current);
  if (status === "ready" && model.preset) {
    const vectors = Object.fromEntries(
      current.map((trait) => [trait.name, trait.vectorHash ?? ""]),
    );
    await cachePresetVectors(trainer.bucket, model.baseModel, model.preset, vectors);
  }
}

function modelStatus(traitRows: TraitRow[]): ModelStatus {
  const has = (status: TraitRow["status"]) => traitRows.some((trait) => trait.status === status);
  if (has("failed")) return "failed";
  if (traitRows.every((trait) => trait.status === "ready")) return "ready";
  return has("training") ? "training" : "pending";
}

/** Cancels the jobs of the traits still training (a failed or deleted model's). */
export async function cancelJobs(trainer: Trainer, traitRows: TraitRow[]): Promise<void> {
  const jobs = traitRows.filter((trait) => trait.status === "training").map(jobOf);
  await Promise.all(jobs.flatMap((job) => (job ? [cancelExtraction(trainer.pool, job)] : [])));
}

function jobOf(trait: TraitRow): SubmittedJob | null {
  return trait.jobNode && trait.jobId ? { node: trait.jobNode, jobId: trait.jobId } : null;
}
