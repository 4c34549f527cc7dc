// A trait's extraction job on a GPU node: validated before its model is accepted, submitted to
// whichever node is healthy, then polled and cancelled on that node (jobs.ts).
import {
  cancelExtractionRoute,
  type ExtractionJob,
  type ExtractionPlan,
  type ExtractionRequest,
  extractionJobSchema,
  extractionPlanSchema,
  getExtractionRoute,
  submitExtractionRoute,
  validateExtractionRoute,
} from "../../../shared/node-api/extractions.ts";
import { cancelJob, type Polled, pollJob, type SubmittedJob } from "./jobs.ts";
import { type FieldOf, type NodePool, readReply } from "./pool.ts";

/**
 * What a healthy node of `baseModel` would capture for the extraction, checked as submitting it
 * would be, nothing queued; a node's refusal is thrown as its ApiError, naming the edge request's
 * field (`fieldOf`).
 */
export async function validateExtraction(
  pool: NodePool,
  request: ExtractionRequest,
  fieldOf: FieldOf,
  baseModel: string,
): Promise<ExtractionPlan> {
  const routing = { model: baseModel };
  const { response } = await pool.call(validateExtractionRoute, { json: request }, routing);
  return readReply(response, extractionPlanSchema, fieldOf);
}

/** Queues the extraction on a node of `baseModel`; a node's refusal is thrown as its ApiError. */
export async function submitExtraction(
  pool: NodePool,
  request: ExtractionRequest,
  baseModel: string,
): Promise<SubmittedJob> {
  const routing = { model: baseModel };
  const { node, response } = await pool.call(submitExtractionRoute, { json: request }, routing);
  const job = await readReply(response, extractionJobSchema);
  return { node, jobId: job.id };
}

export function pollExtraction(pool: NodePool, job: SubmittedJob): Promise<Polled<ExtractionJob>> {
  return pollJob(pool, getExtractionRoute, extractionJobSchema, job);
}

export function cancelExtraction(pool: NodePool, job: SubmittedJob): Promise<void> {
  return cancelJob(pool, cancelExtractionRoute, job);
}
