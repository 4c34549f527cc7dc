// Evaluation jobs over HTTP (shared/node-api/evaluations.ts): POST /v1/evaluations (202 and the
// queued job), GET and DELETE /v1/evaluations/{id}. The vector must be stored here, and the request
// is planned against the model (prompts and questions fit the context) before anything is queued.
import { OpenAPIHono } from "@hono/zod-openapi";
import {
  cancelEvaluationRoute,
  getEvaluationRoute,
  submitEvaluationRoute,
} from "../../../shared/node-api/evaluations.ts";
import { planEvaluation } from "../../evaluation/evaluate.ts";
import type { AppContext } from "../app.ts";

export function evaluationRoutes({ engine, store, evaluations, judge }: AppContext): OpenAPIHono {
  return new OpenAPIHono()
    .openapi(submitEvaluationRoute, (c) => {
      const request = c.req.valid("json");
      const vector = store.vector(request.vector_id, "vector_id");
      return c.json(evaluations.start(planEvaluation(engine, judge(), request, vector)), 202);
    })
    .openapi(getEvaluationRoute, (c) => c.json(evaluations.get(c.req.valid("param").id), 200))
    .openapi(cancelEvaluationRoute, (c) =>
      c.json(evaluations.cancel(c.req.valid("param").id), 200),
    );
}
