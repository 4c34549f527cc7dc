// A job on a GPU node (an extraction, an evaluation, a dataset), as the edge sees it: submitted to whichever
// node is healthy, then polled and cancelled on that node. A node forgets its jobs when it
// restarts, so a job the node no longer knows, or a node that cannot be reached, is reported as
// failed: the caller retries.
import type { RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import type { ApiError } from "../../../shared/http/api-error.ts";
import { type NodePool, readReply } from "./pool.ts";

export interface SubmittedJob {
  node: string;
  jobId: string;
}

/** What every kind of node job reports of itself (shared/node-api's job schemas). */
export interface NodeJob {
  status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  error: { message: string; code: string } | null;
}

/** Where a job stands: still working, done, cancelled (by someone else), or over without a result. */
export type Polled<J extends NodeJob> =
  | { state: "working"; job: J }
  | { state: "succeeded"; job: J }
  | { state: "cancelled" }
  /** `code`: the job's own error code, when the node ran it and it failed. */
  | { state: "failed"; reason: string; code?: string };

/** Asks the job's node about it with `route` (its GET), reading the reply as `schema`. */
export async function pollJob<J extends NodeJob>(
  pool: NodePool,
  route: RouteConfig,
  schema: z.ZodType<J>,
  job: SubmittedJob,
): Promise<Polled<J>> {
  const response = await pool
    .callNode(job.node, route, { params: { id: job.jobId } })
    .catch(() => null);
  if (!response) return { state: "failed", reason: "its GPU node became unreachable" };
  if (response.status === 404) return { state: "failed", reason: "its GPU node lost the job" };
  const polled = await readReply(response, schema).catch((error: ApiError) => error);
  if (polled instanceof Error) return { state: "failed", reason: polled.message };
  switch (polled.status) {
    case "succeeded":
      return { state: "succeeded", job: polled };
    case "failed":
      return {
        state: "failed",
        reason: polled.error?.message ?? "the job failed",
        code: polled.error?.code,
      };
    case "cancelled":
      return { state: "cancelled" };
    default:
      return { state: "working", job: polled };
  }
}

/** Best effort: a job nobody waits for, or that lost a race, should not hold the node's queue. */
export async function cancelJob(
  pool: NodePool,
  route: RouteConfig,
  job: SubmittedJob,
): Promise<void> {
  await pool.callNode(job.node, route, { params: { id: job.jobId } }).catch(() => undefined);
}
