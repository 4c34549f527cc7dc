// An evaluation's job on a GPU node: submitted to whichever node is healthy, with the vector it
// evaluates uploaded first when that node lacks it, then polled and cancelled on that node
// (jobs.ts).
import {
  cancelEvaluationRoute,
  getEvaluationRoute,
  type NodeEvaluationJob,
  type NodeEvaluationRequest,
  nodeEvaluationJobSchema,
  submitEvaluationRoute,
} from "../../../shared/node-api/evaluations.ts";
import { cancelJob, type Polled, pollJob, type SubmittedJob } from "./jobs.ts";
import { type FieldOf, type NodePool, readReply } from "./pool.ts";
import { callWithVectors } from "./vectors.ts";

/**
 * Queues the evaluation on a node of `baseModel` (any, for one stored before it was kept), one
 * holding its vector preferred; a node's refusal is thrown as its ApiError, naming the edge
 * request's field (`fieldOf`).
 */
export async function submitEvaluation(
  pool: NodePool,
  bucket: R2Bucket,
  request: NodeEvaluationRequest,
  baseModel: string | undefined,
  fieldOf?: FieldOf,
): Promise<SubmittedJob> {
  const { node, response } = await callWithVectors(
    pool,
    bucket,
    { model: baseModel, vectors: [request.vector_id] },
    submitEvaluationRoute,
    { json: request },
    fieldOf,
  );
  const job = await readReply(response, nodeEvaluationJobSchema);
  return { node, jobId: job.id };
}

export function pollEvaluation(
  pool: NodePool,
  job: SubmittedJob,
): Promise<Polled<NodeEvaluationJob>> {
  return pollJob(pool, getEvaluationRoute, nodeEvaluationJobSchema, job);
}

export function cancelEvaluation(pool: NodePool, job: SubmittedJob): Promise<void> {
  return cancelJob(pool, cancelEvaluationRoute, job);
}
