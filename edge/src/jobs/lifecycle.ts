// Work the GPU nodes run as jobs (a trait's dataset and extraction, an evaluation), kept as D1 rows. Nothing
// pushes news from the nodes: a row is brought up to date, "reconciled", whenever it is read and
// by the cron. A row waits until a node takes its job; a job that failed, that its node forgot
// (restarted) or whose node cannot be reached is submitted again, to whichever node is healthy,
// until the row has had MAX_ATTEMPTS jobs. A submission no node takes costs no try: it is tried
// again later, with growing waits, and fails only when the nodes stay unavailable for minutes
// (retry.ts); one a node refuses fails at once, and so does a job that failed in a way its kind
// says another job would repeat. What a job's result means is its kind's to say.
//
// Passes may overlap (two reads, a read and the cron): every change to a row is conditional on the
// state the pass read (status and attempts), so one pass wins and the other changes nothing; a job
// submitted by the loser is cancelled.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodeJob, Polled, SubmittedJob } from "../nodes/jobs.ts";
import { afterUnavailable, isDue, type RetryPolicy, type RetryTiming } from "./retry.ts";

/** Jobs per row, resubmissions after a lost or failed job included. */
export const MAX_ATTEMPTS = 3;

/** A row's job columns (db/schema.ts nodeJobColumns), and its status. */
export interface JobRow<S extends string = string> extends RetryTiming {
  status: S;
  jobNode: string | null;
  jobId: string | null;
  attempts: number;
  error: string | null;
}

/** A row's job columns before its first job: nothing submitted, tried or waiting. */
export const NO_JOB = {
  jobNode: null,
  jobId: null,
  attempts: 0,
  error: null,
  unavailableSince: null,
  retryAt: null,
} as const satisfies Omit<JobRow, "status">;

export interface JobKind<S extends string, R extends JobRow<S>, J extends NodeJob> {
  /** What the job does, as failure reasons name it: "extraction", "evaluation", "generation". */
  noun: string;
  /** The row's status while it waits for a node, once a node has taken its job, and once failed. */
  statuses: { waiting: S; submitted: S; failed: S };
  retry: RetryPolicy;
  /** The job error codes another job would most likely repeat: the row fails at once, untried. */
  finalErrors?: readonly string[];
  submit(row: R): Promise<SubmittedJob>;
  poll(job: SubmittedJob): Promise<Polled<J>>;
  cancel(job: SubmittedJob): Promise<void>;
  /** Changes the row only if no other pass has moved it on since `row` was read (status, attempts). */
  update(row: R, changes: Partial<JobRow<S>>): Promise<boolean>;
}

/** A row that says its job is on a node, but names none. */
const lost: Extract<Polled<NodeJob>, { state: "failed" }> = {
  state: "failed",
  reason: "its job was lost",
};

/** What is left for the kind to do after a pass: nothing, or act on its job's news. */
export type Advanced<J extends NodeJob> = Exclude<Polled<J>, { state: "failed" }> | null;

/**
 * Moves an unfinished row on as far as its job allows: submits it when it waits and its try is due,
 * polls its job, and retries a job that failed or was lost. The job's other news is the caller's.
 */
export async function advanceJob<S extends string, R extends JobRow<S>, J extends NodeJob>(
  kind: JobKind<S, R, J>,
  row: R,
): Promise<Advanced<J>> {
  const job = jobOf(row);
  if (!job && row.status === kind.statuses.waiting) {
    // Before its next try is due, a read costs no call to a node.
    if (isDue(row, Date.now())) await submitJob(kind, row);
    return null;
  }
  const polled = job ? await kind.poll(job) : lost;
  if (polled.state !== "failed") return polled;
  if (polled.code !== undefined && kind.finalErrors?.includes(polled.code)) {
    await kind.update(row, { status: kind.statuses.failed, error: polled.reason });
  } else {
    await retryJob(kind, row, polled.reason);
  }
  return null;
}

/** Submits the row's job; the row records the job, or why no node took it. */
async function submitJob<S extends string, R extends JobRow<S>, J extends NodeJob>(
  kind: JobKind<S, R, J>,
  row: R,
): Promise<void> {
  let job: SubmittedJob;
  try {
    job = await kind.submit(row);
  } catch (error) {
    await kind.update(row, notTaken(kind, row, error as Error));
    return;
  }
  const claimed = await kind.update(row, {
    attempts: row.attempts + 1,
    status: kind.statuses.submitted,
    jobNode: job.node,
    jobId: job.jobId,
    error: null,
    unavailableSince: null,
    retryAt: null,
  });
  if (!claimed) await kind.cancel(job);
}

/**
 * A refusal (what the node says of the request will be said again) fails the row; a node that is
 * unavailable has it tried later, until the give-up span has passed.
 */
function notTaken<S extends string>(
  kind: JobKind<S, JobRow<S>, NodeJob>,
  row: JobRow<S>,
  error: Error,
): Partial<JobRow<S>> {
  if (error instanceof ApiError && error.status < 500) {
    const reason = `the GPU node refused its ${kind.noun}: ${error.message}`;
    return { status: kind.statuses.failed, error: reason };
  }
  const next = afterUnavailable(kind.retry, row, Date.now());
  if (next.giveUp) {
    const since = new Date(next.since).toISOString();
    const reason = `no GPU node could take its ${kind.noun} since ${since}: ${error.message}`;
    return { status: kind.statuses.failed, error: reason, retryAt: null };
  }
  const { since, retryAt } = next;
  return { status: kind.statuses.waiting, error: error.message, unavailableSince: since, retryAt };
}

/** A job that ended without a result: submitted again, unless the row has had its tries. */
export async function retryJob<S extends string, R extends JobRow<S>, J extends NodeJob>(
  kind: JobKind<S, R, J>,
  row: R,
  reason: string,
): Promise<void> {
  if (row.attempts >= MAX_ATTEMPTS) {
    await kind.update(row, { status: kind.statuses.failed, error: reason });
    return;
  }
  const changes = { status: kind.statuses.waiting, jobNode: null, jobId: null, error: reason };
  if (await kind.update(row, changes)) await submitJob(kind, { ...row, ...changes });
}

export function jobOf(row: JobRow): SubmittedJob | null {
  return row.jobNode && row.jobId ? { node: row.jobNode, jobId: row.jobId } : null;
}
