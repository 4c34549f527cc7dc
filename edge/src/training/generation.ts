// A described trait's examples, written before it trains: a dataset job on a GPU node asks the
// node's generator for persona pairs of the description (shared/node-api/datasets.ts). The job is
// submitted, polled and retried as every node job is (jobs/lifecycle.ts), but for one failure: a
// generator whose answers held too few usable pairs, asked twice, fails the trait at once, as
// another job would most likely fare no better. The pairs become the trait's examples in D1, shown
// in control_dimensions and trained as given ones are, and the tokens the generator used are
// metered to the key that made the model (a usage row of kind "generation").
import {
  type DatasetJob,
  GENERATION_FAILED,
  type PersonaPair,
} from "../../../shared/node-api/datasets.ts";
import type { TraitStatus } from "../db/schema.ts";
import { advanceJob, type JobKind, NO_JOB, retryJob } from "../jobs/lifecycle.ts";
import type { Backend } from "../lib/backend.ts";
import { recordUsage } from "../lib/usage.ts";
import { cancelDataset, pollDataset, submitDataset } from "../nodes/datasets.ts";
import { type ModelRow, type TraitRow, updateTrait } from "./models.ts";

type DatasetJobs = JobKind<TraitStatus, TraitRow, DatasetJob>;

/** A trait's dataset, as a node job of its model's. */
function datasetJobs(backend: Backend): DatasetJobs {
  return {
    noun: "generation",
    statuses: { waiting: "pending", submitted: "generating", failed: "failed" },
    retry: backend.retry,
    finalErrors: [GENERATION_FAILED],
    submit: (trait) =>
      submitDataset(backend.pool, {
        description: trait.description ?? "",
        pairs: trait.generatedPairs ?? undefined,
      }),
    poll: (job) => pollDataset(backend.pool, job),
    cancel: (job) => cancelDataset(backend.pool, job),
    update: (trait, changes) => updateTrait(backend.db, trait, changes),
  };
}

/**
 * Moves the trait's generation on as far as its job allows. Once its examples are stored, answers
 * the trait as it now is (pending, to train on them); otherwise null.
 */
export async function advanceGeneration(
  backend: Backend,
  model: ModelRow,
  trait: TraitRow,
): Promise<TraitRow | null> {
  const kind = datasetJobs(backend);
  const advanced = await advanceJob(kind, trait);
  if (advanced?.state === "cancelled") {
    await retryJob(kind, trait, "the job was cancelled");
    return null;
  }
  if (advanced?.state !== "succeeded") return null;
  const { pairs, usage } = advanced.job;
  if (!pairs || pairs.length === 0) {
    await retryJob(kind, trait, "its GPU node reported no pairs");
    return null;
  }
  // Metered before the examples are stored, so that no pass can store them and die unmetered;
  // passes that overlap send the same row, keyed by the model and trait, which is written once.
  await recordUsage(backend.usage, `${model.id}/${trait.name}`, model, {
    model: model.id,
    endpoint: "/v1/steerable-models",
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    outcome: "completed",
    kind: "generation",
  });
  const written = withExamples(pairs);
  if (!(await updateTrait(backend.db, trait, written))) return null;
  return { ...trait, ...written };
}

/** The generated examples, the trait back to pending with no job: its extraction is next. */
function withExamples(pairs: PersonaPair[]): Partial<TraitRow> {
  return {
    positiveExamples: pairs.map((pair) => pair.positive),
    negativeExamples: pairs.map((pair) => pair.negative),
    status: "pending",
    ...NO_JOB,
  };
}

/** Cancels the trait's dataset job, if it has one running. */
export async function cancelGeneration(backend: Backend, trait: TraitRow): Promise<void> {
  if (trait.status !== "generating" || !trait.jobNode || !trait.jobId) return;
  await cancelDataset(backend.pool, { node: trait.jobNode, jobId: trait.jobId });
}
