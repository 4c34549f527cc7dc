// Evaluations of a steerable model's trait (evaluations/): POST starts one on a GPU node and
// answers 202 at once, GET reads one (its status, progress, then its result) or a page of the
// caller's, newest first, DELETE removes one (its job stops), and POST .../ratings adds people's
// scores of its answers, which recalibrate the judge. Every read reconciles the evaluations it
// returns with their jobs, so that their status is current.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import {
  BODY_ERRORS,
  IDEMPOTENCY_ERRORS,
  INVALID,
  KEY_ERRORS,
  NODE_ERRORS,
} from "../api/errors.ts";
import {
  createEvaluationSchema,
  evaluationDeletedSchema,
  evaluationListSchema,
  evaluationSchema,
  rateEvaluationSchema,
} from "../api/evaluations.ts";
import { listQuerySchema } from "../api/steerable-models.ts";
import type { EdgeEnv } from "../env.ts";
import { rateEvaluation } from "../evaluations/ratings.ts";
import { reconcileEvaluation } from "../evaluations/reconcile.ts";
import {
  apiEvaluation,
  deleteEvaluation,
  type EvaluationRow,
  isUnfinished,
  listEvaluations,
  requireEvaluation,
  toApiEvaluation,
} from "../evaluations/records.ts";
import { startEvaluation } from "../evaluations/start.ts";
import { jobOf } from "../jobs/lifecycle.ts";
import { type Backend, backendFor } from "../lib/backend.ts";
import { idempotencyHeaders, idempotent } from "../middleware/idempotency.ts";
import { cancelEvaluation } from "../nodes/evaluations.ts";
import { TAGS } from "../openapi/tags.ts";

const tags = [TAGS.evaluations.name];
const evaluationId = z.object({ id: z.string().describe("The evaluation's id") });
const NOT_FOUND = { 404: "You have no evaluation with this id" } as const;

export const evaluationRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

evaluationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/evaluations",
    tags,
    summary: "Evaluate a trait of a ready steerable model of yours; it runs on a GPU node at once",
    middleware: [idempotent],
    request: { headers: idempotencyHeaders, body: jsonBody(createEvaluationSchema) },
    responses: {
      202: {
        ...jsonAnswer(evaluationSchema, "Accepted: the evaluation, queued; poll it"),
        headers: z.object({ Location: z.string().describe("The evaluation's URL") }),
      },
      ...errorAnswers({
        ...KEY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        ...BODY_ERRORS,
        400:
          `${INVALID}; or trait is not one of the model's; or the GPU node refused a setting ` +
          "(a prompt past the context, say; param names the field)",
        404: "You have no steerable model `model`",
        409: `The model is not ready (still training, or failed); or ${IDEMPOTENCY_ERRORS[409]}`,
        ...NODE_ERRORS,
      }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const row = await startEvaluation(backend, c.get("caller"), c.req.valid("json"));
    c.header("Location", `/v1/evaluations/${row.id}`);
    return c.json(toApiEvaluation(row, null), 202);
  },
);

evaluationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/evaluations",
    tags,
    summary: "List your evaluations, newest first",
    request: { query: listQuerySchema },
    responses: {
      200: jsonAnswer(evaluationListSchema, "A page of evaluations"),
      ...errorAnswers({ ...KEY_ERRORS, 400: INVALID }),
    },
  }),
  async (c) => {
    const page = c.req.valid("query");
    const { accountId } = c.get("caller");
    const backend = backendFor(c.env);
    const rows = await listEvaluations(backend.db, accountId, page);
    await Promise.all(rows.map((row) => reconcileEvaluation(backend, row)));
    const current = await listEvaluations(backend.db, accountId, page);
    const data = await Promise.all(current.map((row) => apiEvaluation(backend.bucket, row)));
    return c.json({ object: "list" as const, data }, 200);
  },
);

evaluationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/evaluations/{id}",
    tags,
    summary:
      "An evaluation: queued, running with progress, succeeded with its result, failed with why",
    request: { params: evaluationId },
    responses: {
      200: jsonAnswer(evaluationSchema, "The evaluation"),
      ...errorAnswers({ ...KEY_ERRORS, ...NOT_FOUND }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const row = await currentEvaluation(
      backend,
      c.get("caller").accountId,
      c.req.valid("param").id,
    );
    return c.json(await apiEvaluation(backend.bucket, row), 200);
  },
);

evaluationRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/evaluations/{id}",
    tags,
    summary: "Delete an evaluation (its job stops; a trait keeps the quality card it gave)",
    request: { params: evaluationId },
    responses: {
      200: jsonAnswer(evaluationDeletedSchema, "The evaluation, deleted"),
      ...errorAnswers({ ...KEY_ERRORS, ...NOT_FOUND }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const row = await requireEvaluation(
      backend.db,
      c.get("caller").accountId,
      c.req.valid("param").id,
    );
    await deleteEvaluation(backend.db, backend.bucket, row.id);
    const job = isUnfinished(row) ? jobOf(row) : null;
    if (job) c.executionCtx.waitUntil(cancelEvaluation(backend.pool, job));
    return c.json({ id: row.id, object: "evaluation" as const, deleted: true as const }, 200);
  },
);

evaluationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/evaluations/{id}/ratings",
    tags,
    summary:
      "Rate some of a succeeded evaluation's answers: the judge is recalibrated by your scores",
    request: { params: evaluationId, body: jsonBody(rateEvaluationSchema) },
    responses: {
      200: jsonAnswer(evaluationSchema, "The evaluation, its result recalibrated"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...BODY_ERRORS,
        400: `${INVALID}; or a rating names an answer the evaluation does not have`,
        ...NOT_FOUND,
        409: "The evaluation has not succeeded: it has no answers to rate",
      }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const { ratings } = c.req.valid("json");
    const row = await currentEvaluation(
      backend,
      c.get("caller").accountId,
      c.req.valid("param").id,
    );
    const stored = await rateEvaluation(backend, row, ratings);
    return c.json(toApiEvaluation(row, stored), 200);
  },
);

/** The caller's evaluation `id`, reconciled with its job first so that its status is current. */
async function currentEvaluation(
  backend: Backend,
  accountId: string,
  id: string,
): Promise<EvaluationRow> {
  await reconcileEvaluation(backend, await requireEvaluation(backend.db, accountId, id));
  return requireEvaluation(backend.db, accountId, id);
}
