// What the routes and the cron work with besides the request: D1, the GPU nodes, R2, how long
// work no node can take is retried, and the usage queue.
import type { Bindings } from "../env.ts";
import { type RetryPolicy, retryPolicyOf } from "../jobs/retry.ts";
import { NodePool } from "../nodes/pool.ts";
import { type Db, database } from "./db.ts";
import type { UsageQueue } from "./usage.ts";

export interface Backend {
  db: Db;
  pool: NodePool;
  bucket: R2Bucket;
  retry: RetryPolicy;
  /** Where usage rows go on their way to D1 (lib/usage.ts). */
  usage: UsageQueue;
}

export function backendFor(env: Bindings): Backend {
  return {
    db: database(env.DB),
    pool: NodePool.fromEnv(env),
    bucket: env.VECTORS,
    retry: retryPolicyOf(env),
    usage: env.USAGE_QUEUE,
  };
}
