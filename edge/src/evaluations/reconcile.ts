// Running an evaluation: its job is submitted, polled and retried as every node job is
// (jobs/lifecycle.ts), whenever the evaluation is read and by the cron; its status and progress
// follow its node's reports. Once the job has succeeded: its measurements go to R2, the tokens it
// used are metered to the caller as an evaluation's, and its result's quality card becomes the
// trait's. A job its node cancelled (its operator, by the node's own API) ends it as cancelled.
import type { NodeEvaluationJob } from "../../../shared/node-api/evaluations.ts";
import type { EvaluationStatus } from "../db/schema.ts";
import { advanceJob, type JobKind, retryJob } from "../jobs/lifecycle.ts";
import type { Backend } from "../lib/backend.ts";
import { recordUsage } from "../lib/usage.ts";
import { cancelEvaluation, pollEvaluation, submitEvaluation } from "../nodes/evaluations.ts";
import { saveQualityCard } from "./quality.ts";
import {
  changeStored,
  type EvaluationRow,
  isUnfinished,
  readStored,
  unfinishedEvaluations,
  updateEvaluation,
} from "./records.ts";

/** Moves the evaluation on as far as its job allows. */
export async function reconcileEvaluation(backend: Backend, row: EvaluationRow): Promise<void> {
  if (!isUnfinished(row)) return;
  const kind = evaluationJobs(backend);
  const advanced = await advanceJob(kind, row);
  if (!advanced) return;
  if (advanced.state === "cancelled") {
    await kind.update(row, { status: "cancelled", error: "its GPU node cancelled the job" });
  } else if (advanced.state === "working") {
    await showProgress(backend, row, advanced.job);
  } else {
    await finish(backend, kind, row, advanced.job);
  }
}

/** The cron's pass over every account's unfinished evaluations. */
export async function reconcileEvaluations(backend: Backend, limit = 50): Promise<void> {
  for (const row of await unfinishedEvaluations(backend.db, limit)) {
    // With nobody to answer, a failure (D1, say) is logged; the next pass tries again.
    await reconcileEvaluation(backend, row).catch((error) =>
      console.error(`reconciling ${row.id} failed`, error),
    );
  }
}

/** The status and progress its node reports, when they changed: a read of a quiet job writes nothing. */
async function showProgress(backend: Backend, row: EvaluationRow, job: NodeEvaluationJob) {
  // A job still working is queued or running on its node.
  const status = job.status === "running" ? "running" : "queued";
  const changed =
    status !== row.status || JSON.stringify(job.progress) !== JSON.stringify(row.progress);
  if (changed) await updateEvaluation(backend.db, row, { status, progress: job.progress });
}

type EvaluationJobs = JobKind<EvaluationStatus, EvaluationRow, NodeEvaluationJob>;

function evaluationJobs(backend: Backend): EvaluationJobs {
  const { db, pool, bucket } = backend;
  return {
    noun: "evaluation",
    // A job in its node's queue is as queued as one waiting for a node.
    statuses: { waiting: "queued", submitted: "queued", failed: "failed" },
    retry: backend.retry,
    submit: async (row) => {
      const { request, baseModel } = await readStored(bucket, row.id);
      return submitEvaluation(pool, bucket, request, baseModel);
    },
    poll: (job) => pollEvaluation(pool, job),
    cancel: (job) => cancelEvaluation(pool, job),
    update: (row, changes) => updateEvaluation(db, row, changes),
  };
}

/**
 * Keeps what the job measured, then settles the evaluation; the pass that settles it (of any that
 * overlap) meters it and shows its card.
 */
async function finish(
  backend: Backend,
  kind: EvaluationJobs,
  row: EvaluationRow,
  job: NodeEvaluationJob,
): Promise<void> {
  const { measurements } = job;
  if (!measurements) return retryJob(kind, row, "its GPU node reported no measurements");
  const stored = await changeStored(backend.bucket, row.id, (current) =>
    current.measurements ? null : { ...current, measurements },
  );
  // Metered before it is settled, so that no pass can settle it and die unmetered; passes that
  // overlap send the same row, keyed by the evaluation's id, which is written once. Not charged to
  // the minute's rate window: its tokens were spent over its whole run, not in the minute it ended.
  await recordUsage(backend.usage, row.id, row, {
    model: row.modelId,
    endpoint: "/v1/evaluations",
    promptTokens: job.usage.prompt_tokens,
    completionTokens: job.usage.completion_tokens,
    outcome: "completed",
    kind: "evaluation",
  });
  const settled = await updateEvaluation(backend.db, row, {
    status: "succeeded",
    progress: job.progress,
    error: null,
  });
  if (!settled) return;
  await saveQualityCard(backend.db, { ...row, status: "succeeded" }, stored);
}
