// What the Worker is given: its bindings (wrangler.toml) and, per request, who is calling.
import type { apiKeys } from "./db/schema.ts";

/**
 * The bindings of wrangler.toml (DB: D1; VECTORS: R2, vectors/<sha256>.gguf; GPU_NODES: the first
 * nodes' base URLs, comma-separated, registered in the node registry: nodes/registry.ts;
 * USAGE_QUEUE: usage rows on their way to D1; RATE_LIMITER: each account's rate window), typed by
 * `wrangler types` into worker-configuration.d.ts (run it
 * again after changing wrangler.toml), and two secrets: NODE_TOKEN, the bearer token the nodes
 * expect (their STEER_NODE_TOKEN), unset when they need none; OPERATOR_TOKEN, the bearer token of
 * the operator API (accounts, MMLU, GPU nodes), which is off while it is unset.
 */
export type Bindings = Cloudflare.Env & { NODE_TOKEN?: string; OPERATOR_TOKEN?: string };

export interface Caller {
  accountId: string;
  keyId: string;
  scope: (typeof apiKeys.$inferSelect)["scope"];
}

export interface EdgeEnv {
  Bindings: Bindings;
  Variables: {
    caller: Caller;
    /** The edge's own id for the request (middleware/request-id.ts). */
    requestId: string;
  };
}
