// GET /v1/models: the base models the GPU nodes serve, as the node lists them (OpenAI's shape). The
// playground and clients use it to learn what a steerable model can be made on.
import { Hono } from "hono";
import type { ModelList } from "../../../shared/api/models.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { EdgeEnv } from "../env.ts";
import { NodePool } from "../nodes/pool.ts";

export const modelRoutes = new Hono<EdgeEnv>().get("/v1/models", async (c) => {
  const { response } = await NodePool.fromEnv(c.env).request("/v1/models");
  if (!response.ok) {
    throw new ApiError(
      502,
      `the GPU node did not list its models (${response.status})`,
      "node_error",
    );
  }
  return c.json((await response.json()) as ModelList);
});
