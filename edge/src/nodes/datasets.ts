// A described trait's dataset job on a GPU node: submitted to whichever node is healthy, then
// polled and cancelled on that node (jobs.ts).
import {
  cancelDatasetRoute,
  type DatasetJob,
  type DatasetRequest,
  datasetJobSchema,
  getDatasetRoute,
  submitDatasetRoute,
} from "../../../shared/node-api/datasets.ts";
import { cancelJob, type Polled, pollJob, type SubmittedJob } from "./jobs.ts";
import { type NodePool, readReply } from "./pool.ts";

/** Queues the dataset's writing on a healthy node; a node's refusal is thrown as its ApiError. */
export async function submitDataset(
  pool: NodePool,
  request: DatasetRequest,
): Promise<SubmittedJob> {
  const { node, response } = await pool.call(submitDatasetRoute, { json: request });
  const job = await readReply(response, datasetJobSchema);
  return { node, jobId: job.id };
}

export function pollDataset(pool: NodePool, job: SubmittedJob): Promise<Polled<DatasetJob>> {
  return pollJob(pool, getDatasetRoute, datasetJobSchema, job);
}

export function cancelDataset(pool: NodePool, job: SubmittedJob): Promise<void> {
  return cancelJob(pool, cancelDatasetRoute, job);
}
