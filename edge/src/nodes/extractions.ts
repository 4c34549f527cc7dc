// A trait's extraction job on a GPU node, as the edge sees it: validated before its model is
// accepted, submitted to whichever node is healthy, then polled on that node. A node forgets its
// jobs when it restarts, so a job the node no longer knows, or a node that cannot be reached, is
// reported as lost: the caller retries.

import type { ApiError } from "../../../shared/http/api-error.ts";
import {
  cancelExtractionRoute,
  type ExtractionPlan,
  type ExtractionRequest,
  extractionJobSchema,
  extractionPlanSchema,
  getExtractionRoute,
  submitExtractionRoute,
  validateExtractionRoute,
} from "../../../shared/node-api/extractions.ts";
import { type FieldOf, type NodePool, readReply } from "./pool.ts";

export interface SubmittedJob {
  node: string;
  jobId: string;
}

/** Where a job stands: still working, done with a vector on its node, or over without one. */
export type JobState =
  | { state: "working" }
  | { state: "succeeded"; vectorId: string }
  | { state: "failed"; reason: string };

/**
 * What a healthy node would capture for the extraction, checked as submitting it would be, nothing
 * queued; a node's refusal is thrown as its ApiError, naming the edge request's field (`fieldOf`).
 */
export async function validateExtraction(
  pool: NodePool,
  request: ExtractionRequest,
  fieldOf: FieldOf,
): Promise<ExtractionPlan> {
  const { response } = await pool.call(validateExtractionRoute, { json: request });
  return readReply(response, extractionPlanSchema, fieldOf);
}

/** Queues the extraction on a healthy node; a node's refusal is thrown as its ApiError. */
export async function submitExtraction(
  pool: NodePool,
  request: ExtractionRequest,
): Promise<SubmittedJob> {
  const { node, response } = await pool.call(submitExtractionRoute, { json: request });
  const job = await readReply(response, extractionJobSchema);
  return { node, jobId: job.id };
}

export async function pollExtraction(pool: NodePool, job: SubmittedJob): Promise<JobState> {
  const response = await pool
    .callNode(job.node, getExtractionRoute, { params: { id: job.jobId } })
    .catch(() => null);
  if (!response) return { state: "failed", reason: "its GPU node became unreachable" };
  if (response.status === 404) return { state: "failed", reason: "its GPU node lost the job" };
  const polled = await readReply(response, extractionJobSchema).catch((error: ApiError) => error);
  if (polled instanceof Error) return { state: "failed", reason: polled.message };
  if (polled.status === "succeeded" && polled.vector_id) {
    return { state: "succeeded", vectorId: polled.vector_id };
  }
  if (polled.status === "failed") {
    return { state: "failed", reason: polled.error?.message ?? "the extraction failed" };
  }
  if (polled.status === "cancelled") return { state: "failed", reason: "the job was cancelled" };
  return { state: "working" };
}

/** Best effort: a job whose model is gone, or that lost a race, should not hold the node's queue. */
export async function cancelExtraction(pool: NodePool, job: SubmittedJob): Promise<void> {
  await pool
    .callNode(job.node, cancelExtractionRoute, { params: { id: job.jobId } })
    .catch(() => undefined);
}
