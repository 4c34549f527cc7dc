// GET /v1/models: the base models the GPU nodes serve, as the node lists them (OpenAI's shape). The
// playground and clients use it to learn what a steerable model can be made on.
import { Hono } from "hono";
import type { ModelList } from "../../../shared/api/models.ts";
import type { EdgeEnv } from "../env.ts";
import { askNodes } from "../nodes/base-models.ts";
import { NodePool } from "../nodes/pool.ts";

export const modelRoutes = new Hono<EdgeEnv>().get("/v1/models", async (c) => {
  const data = await askNodes(NodePool.fromEnv(c.env));
  return c.json({ object: "list", data } satisfies ModelList);
});
