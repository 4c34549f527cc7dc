// The Worker reaches the GPU nodes it is configured with, with their bearer token.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { NodePool } from "../../edge/src/nodes/pool.ts";
import type { ModelList } from "../../shared/api/models.ts";

it("reaches the configured GPU node, and passes over one that is down", async () => {
  const pool = NodePool.fromEnv({ ...env, GPU_NODES: `http://127.0.0.1:1,${env.GPU_NODES}` });
  const { node, response } = await pool.request("/v1/models");
  expect(node).toBe(env.GPU_NODES);
  expect(response.status).toBe(200);
  expect(((await response.json()) as ModelList).data[0]?.id).toBe("steer-test");
});
