// Training a steerable model: each trait is an extraction job on a GPU node, after a dataset job
// that writes its examples when it was described (generation.ts), and the model's status follows
// its traits: pending (no job yet) -> generating (a trait's examples are being written) ->
// training -> ready (every trait has its vector in R2) or failed (failure_reason says why). The
// traits' jobs are submitted, polled and retried as every node job is (jobs/lifecycle.ts), whenever
// a model is read and by the cron; a trait whose extraction succeeded has its vector copied into R2.
import { and, eq, inArray } from "drizzle-orm";
import type { ExtractionJob } from "../../../shared/node-api/extractions.ts";
import { type ModelStatus, steerableModels, type TraitStatus, traits } from "../db/schema.ts";
import { advanceJob, type JobKind, jobOf, retryJob } from "../jobs/lifecycle.ts";
import type { Backend } from "../lib/backend.ts";
import { cancelExtraction, pollExtraction, submitExtraction } from "../nodes/extractions.ts";
import { storeVector } from "../nodes/vectors.ts";
import { cachePresetVectors } from "../presets/cache.ts";
import { extractionRequest } from "./extraction-request.ts";
import { advanceGeneration, cancelGeneration } from "./generation.ts";
import {
  awaitsGeneration,
  isTraining,
  type ModelRecord,
  type ModelRow,
  type TraitRow,
  UNFINISHED_STATUSES,
  unfinishedModels,
  updateTrait,
} from "./models.ts";

/** Moves each of the model's traits on as far as its job allows, then settles its status. */
export async function reconcileModel(backend: Backend, model: ModelRecord): Promise<void> {
  if (!isTraining(model)) return;
  await Promise.all(model.traits.map((trait) => advanceTrait(backend, model, trait)));
  await settleModel(backend, model);
}

/** Reconciles once the answer is out (a new model's first jobs), under waitUntil. */
export function reconcileLater(
  backend: Backend,
  context: Pick<ExecutionContext, "waitUntil">,
  model: ModelRecord,
): void {
  context.waitUntil(reconcileLogged(backend, model));
}

/** The cron's pass over every account's unfinished models. */
export async function reconcileAll(backend: Backend, limit = 50): Promise<void> {
  for (const model of await unfinishedModels(backend.db, limit)) {
    await reconcileLogged(backend, model);
  }
}

/** With nobody to answer, a failure (D1, say) is logged; the next pass tries again. */
function reconcileLogged(backend: Backend, model: ModelRecord): Promise<void> {
  return reconcileModel(backend, model).catch((error) =>
    console.error(`reconciling ${model.id} failed`, error),
  );
}

/** A trait's extraction, as a node job of the model's. */
function extractions(
  backend: Backend,
  model: ModelRow,
): JobKind<TraitStatus, TraitRow, ExtractionJob> {
  return {
    noun: "extraction",
    statuses: { waiting: "pending", submitted: "training", failed: "failed" },
    retry: backend.retry,
    submit: (trait) => {
      const examples = { positive: trait.positiveExamples, negative: trait.negativeExamples };
      return submitExtraction(backend.pool, extractionRequest(model, examples), model.baseModel);
    },
    poll: (job) => pollExtraction(backend.pool, job),
    cancel: (job) => cancelExtraction(backend.pool, job),
    update: (trait, changes) => updateTrait(backend.db, trait, changes),
  };
}

async function advanceTrait(backend: Backend, model: ModelRow, trait: TraitRow): Promise<void> {
  if (trait.status === "ready" || trait.status === "failed") return;
  if (awaitsGeneration(trait)) {
    // Its examples written, it trains at once.
    const written = await advanceGeneration(backend, model, trait);
    if (written) await advanceTrait(backend, model, written);
    return;
  }
  const kind = extractions(backend, model);
  const advanced = await advanceJob(kind, trait);
  if (advanced?.state === "cancelled") return retryJob(kind, trait, "the job was cancelled");
  if (advanced?.state !== "succeeded") return;
  const { vector_id: vectorId, layer_choice: layerChoice } = advanced.job;
  const job = jobOf(trait);
  if (!vectorId || !job) return retryJob(kind, trait, "its GPU node reported no vector");
  const stored = await storeVector(backend.pool, backend.bucket, job.node, vectorId).catch(
    (error: Error) => error,
  );
  if (stored instanceof Error) return retryJob(kind, trait, stored.message);
  await updateTrait(backend.db, trait, {
    status: "ready",
    vectorHash: stored,
    layerChoice,
    error: null,
  });
}

/** The model's status from its traits' as they now are; on success, a preset's cache is filled. */
async function settleModel(backend: Backend, model: ModelRow): Promise<void> {
  const { db } = backend;
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
      and(eq(steerableModels.id, model.id), inArray(steerableModels.status, UNFINISHED_STATUSES)),
    )
    .returning({ id: steerableModels.id });
  if (settled.length === 0) return;
  if (failed) await cancelJobs(backend, current);
  if (status === "ready" && model.preset) {
    const vectors = Object.fromEntries(
      current.map((trait) => [trait.name, trait.vectorHash ?? ""]),
    );
    await cachePresetVectors(backend.bucket, model.baseModel, model.preset, vectors);
  }
}

/** A model's status: its furthest-behind trait's, from generating on (any failure fails it). */
function modelStatus(traitRows: TraitRow[]): ModelStatus {
  const has = (status: TraitRow["status"]) => traitRows.some((trait) => trait.status === status);
  if (has("failed")) return "failed";
  if (traitRows.every((trait) => trait.status === "ready")) return "ready";
  if (has("generating")) return "generating";
  return has("training") ? "training" : "pending";
}

/** Cancels the jobs of the traits still generating or training (a failed or deleted model's). */
export async function cancelJobs(backend: Backend, traitRows: TraitRow[]): Promise<void> {
  await Promise.all(
    traitRows.map((trait) => {
      if (trait.status === "generating") return cancelGeneration(backend, trait);
      const job = trait.status === "training" ? jobOf(trait) : null;
      return job ? cancelExtraction(backend.pool, job) : undefined;
    }),
  );
}
