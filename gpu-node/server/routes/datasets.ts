// Dataset jobs over HTTP (shared/node-api/datasets.ts): POST /v1/datasets (202 and the queued job),
// GET and DELETE /v1/datasets/{id}. The generator checks the description first (the base model's
// prompt must leave room in its context for an answer), so one it could never write for is a 400
// naming `description`, with nothing queued.
import { OpenAPIHono } from "@hono/zod-openapi";
import { DEFAULT_GENERATED_PAIRS } from "../../../shared/limits.ts";
import {
  cancelDatasetRoute,
  getDatasetRoute,
  submitDatasetRoute,
} from "../../../shared/node-api/datasets.ts";
import type { AppContext } from "../app.ts";

export function datasetRoutes({ datasets, generator }: AppContext): OpenAPIHono {
  return new OpenAPIHono()
    .openapi(submitDatasetRoute, (c) => {
      const { description, pairs = DEFAULT_GENERATED_PAIRS } = c.req.valid("json");
      const writer = generator();
      writer.check(description);
      return c.json(datasets.start({ generator: writer, description, pairs }), 202);
    })
    .openapi(getDatasetRoute, (c) => c.json(datasets.get(c.req.valid("param").id), 200))
    .openapi(cancelDatasetRoute, (c) => c.json(datasets.cancel(c.req.valid("param").id), 200));
}
