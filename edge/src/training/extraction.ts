// A trait's extraction job on a GPU node, as the edge sees it: submitted to whichever node is
// healthy, then polled on that node. A node forgets its jobs when it restarts, so a job the node
// no longer knows, or a node that cannot be reached, is reported as lost: the caller retries.
import type { ExtractionJob } from "../../../shared/api/extractions.ts";
import { sha256Hex } from "../lib/ids.ts";
import type { NodePool } from "../nodes/pool.ts";
import { vectorKey } from "../nodes/vectors.ts";
import type { ContrastPair } from "./contrast-pairs.ts";

export interface SubmittedJob {
  node: string;
  jobId: string;
}

/** Where a job stands: still working, done with a vector on its node, or over without one. */
export type JobState =
  | { state: "working" }
  | { state: "succeeded"; vectorId: string }
  | { state: "failed"; reason: string };

export async function submitExtraction(
  pool: NodePool,
  pairs: ContrastPair[],
): Promise<SubmittedJob> {
  const { node, response } = await pool.request("/v1/extractions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pairs }),
  });
  if (response.status !== 202) {
    throw new Error(`the GPU node refused the extraction (${await describe(response)})`);
  }
  const job = (await response.json()) as ExtractionJob;
  return { node, jobId: job.id };
}

export async function pollExtraction(pool: NodePool, job: SubmittedJob): Promise<JobState> {
  const response = await pool
    .requestTo(job.node, `/v1/extractions/${encodeURIComponent(job.jobId)}`)
    .catch(() => null);
  if (!response) return { state: "failed", reason: "its GPU node became unreachable" };
  if (response.status === 404) return { state: "failed", reason: "its GPU node lost the job" };
  if (!response.ok) {
    return { state: "failed", reason: `its GPU node answered ${await describe(response)}` };
  }
  const polled = (await response.json()) as ExtractionJob;
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
    .requestTo(job.node, `/v1/extractions/${encodeURIComponent(job.jobId)}`, { method: "DELETE" })
    .catch(() => undefined);
}

/**
 * Copies a finished job's vector from its node into R2 (vectors/<sha256>.gguf), checking that the
 * bytes are the ones the node named. Answers the hash.
 */
export async function storeVector(
  pool: NodePool,
  bucket: R2Bucket,
  job: SubmittedJob,
  vectorId: string,
): Promise<string> {
  const response = await pool.requestTo(job.node, `/v1/vectors/${vectorId}`);
  if (!response.ok) throw new Error(`its GPU node did not give its vector (${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const hash = await sha256Hex(bytes);
  if (hash !== vectorId) {
    throw new Error(`its vector ${vectorId} arrived with sha256 ${hash}`);
  }
  await bucket.put(vectorKey(hash), bytes);
  return hash;
}

async function describe(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return `${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
}
