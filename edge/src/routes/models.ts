// GET /v1/models: the base models the GPU nodes serve, as the node lists them (OpenAI's shape). A
// steerable model is made on one (the first, by default); a request may name one, unsteered but
// for its steering.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer } from "../../../shared/http/openapi.ts";
import { modelListSchema } from "../../../shared/openai/models.ts";
import { KEY_ERRORS, NODE_ERRORS } from "../api/errors.ts";
import type { EdgeEnv } from "../env.ts";
import { askNodes } from "../nodes/base-models.ts";
import { NodePool } from "../nodes/pool.ts";
import { TAGS } from "../openapi/tags.ts";

const route = createRoute({
  method: "get",
  path: "/v1/models",
  tags: [TAGS.inference.name],
  summary: "The base models the GPU nodes serve; the first is the default for new models",
  responses: {
    200: jsonAnswer(modelListSchema, "OpenAI's model list, with each model's shape"),
    ...errorAnswers({ ...KEY_ERRORS, ...NODE_ERRORS }),
  },
});

export const modelRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid }).openapi(
  route,
  async (c) =>
    c.json({ object: "list" as const, data: await askNodes(NodePool.fromEnv(c.env)) }, 200),
);
