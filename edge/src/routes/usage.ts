// GET /v1/usage: the caller's account's metered tokens per UTC day, model and kind, summed from the
// usage rows the inference routes, evaluations and described traits' generations write
// (lib/usage.ts), over an optional range of days. GET /v1/usage/requests: the rows themselves,
// newest first, paged by cursor (a row's request_id), as OpenAI pages its lists.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { and, asc, count, desc, eq, gte, lt, lte, or, sum } from "drizzle-orm";
import { ApiError, rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer } from "../../../shared/http/openapi.ts";
import { INVALID, KEY_ERRORS } from "../api/errors.ts";
import {
  type UsageRequest,
  usageListSchema,
  usageQuerySchema,
  usageRequestListSchema,
  usageRequestsQuerySchema,
} from "../api/usage.ts";
import { usage } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { type Db, database } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import { TAGS } from "../openapi/tags.ts";

const route = createRoute({
  method: "get",
  path: "/v1/usage",
  tags: [TAGS.account.name],
  summary:
    "Metered tokens per day and model (inference, evaluations and generation apart), for your account",
  request: { query: usageQuerySchema },
  responses: {
    200: jsonAnswer(usageListSchema, "Usage per day, model and kind"),
    ...errorAnswers({ ...KEY_ERRORS, 400: INVALID }),
  },
});

const requestsRoute = createRoute({
  method: "get",
  path: "/v1/usage/requests",
  tags: [TAGS.account.name],
  summary:
    "Your account's usage rows, one per request, newest first: a billing export's line items",
  request: { query: usageRequestsQuerySchema },
  responses: {
    200: jsonAnswer(usageRequestListSchema, "A page of usage rows"),
    ...errorAnswers({
      ...KEY_ERRORS,
      400: `${INVALID}; or after names no usage row of yours`,
    }),
  },
});

export const usageRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid })
  .openapi(requestsRoute, async (c) => {
    const { limit, after } = c.req.valid("query");
    const db = database(c.env.DB);
    const { accountId } = c.get("caller");
    const rows = await db
      .select()
      .from(usage)
      .where(
        and(
          eq(usage.accountId, accountId),
          after ? await olderThan(db, accountId, after) : undefined,
        ),
      )
      .orderBy(desc(usage.createdAt), desc(usage.requestId))
      // One more than the page: whether there is another.
      .limit(limit + 1);
    const data = rows.slice(0, limit).map(usageRequest);
    return c.json(
      {
        object: "list" as const,
        data,
        first_id: data[0]?.request_id ?? null,
        last_id: data.at(-1)?.request_id ?? null,
        has_more: rows.length > limit,
      },
      200,
    );
  })
  .openapi(route, async (c) => {
    const { start, end, model } = c.req.valid("query");
    const rows = await database(c.env.DB)
      .select({
        day: usage.day,
        model: usage.model,
        kind: usage.kind,
        requests: count(),
        promptTokens: sum(usage.promptTokens).mapWith(Number),
        completionTokens: sum(usage.completionTokens).mapWith(Number),
      })
      .from(usage)
      .where(
        and(
          eq(usage.accountId, c.get("caller").accountId),
          start ? gte(usage.day, start) : undefined,
          end ? lte(usage.day, end) : undefined,
          model ? eq(usage.model, model) : undefined,
        ),
      )
      .groupBy(usage.day, usage.model, usage.kind)
      .orderBy(asc(usage.day), asc(usage.model), asc(usage.kind));
    const data = rows.map((row) => ({
      day: row.day,
      model: row.model,
      kind: row.kind,
      requests: row.requests,
      prompt_tokens: row.promptTokens,
      completion_tokens: row.completionTokens,
      total_tokens: row.promptTokens + row.completionTokens,
    }));
    return c.json({ object: "list" as const, data }, 200);
  });

/** The rows after `after` (older, or as old and later in id order), newest first. */
async function olderThan(db: Db, accountId: string, after: string) {
  const [cursor] = await db
    .select({ createdAt: usage.createdAt })
    .from(usage)
    .where(and(eq(usage.accountId, accountId), eq(usage.requestId, after)));
  if (!cursor) {
    throw new ApiError(400, `after: no usage row ${after} of yours`, "invalid_cursor", "after");
  }
  return or(
    lt(usage.createdAt, cursor.createdAt),
    and(eq(usage.createdAt, cursor.createdAt), lt(usage.requestId, after)),
  );
}

function usageRequest(row: typeof usage.$inferSelect): UsageRequest {
  return {
    request_id: row.requestId,
    object: "usage.request",
    created: unixSeconds(row.createdAt),
    model: row.model,
    kind: row.kind,
    endpoint: row.endpoint,
    outcome: row.outcome,
    finish_reason: row.finishReason ?? null,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    total_tokens: row.promptTokens + row.completionTokens,
    steering_report: row.steeringReport ?? null,
  };
}
