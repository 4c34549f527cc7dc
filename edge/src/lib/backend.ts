// What the routes and the cron work with besides the request: D1, the GPU nodes, R2, and how long
// work no node can take is retried.
import type { Bindings } from "../env.ts";
import { type RetryPolicy, retryPolicyOf } from "../jobs/retry.ts";
import { NodePool } from "../nodes/pool.ts";
import { type Db, database } from "./db.ts";

export interface Backend {
  db: Db;
  pool: NodePool;
  bucket: R2Bucket;
  retry: RetryPolicy;
}

export function backendFor(env: Bindings): Backend {
  return {
    db: database(env.DB),
    pool: NodePool.fromEnv(env),
    bucket: env.VECTORS,
    retry: retryPolicyOf(env),
  };
}
