// GET /v1/usage: the caller's account's metered tokens per UTC day, model and kind, summed from the
// usage rows the inference routes, evaluations and described traits' generations write
// (lib/usage.ts), over an optional range of days.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { and, asc, count, eq, gte, lte, sum } from "drizzle-orm";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer } from "../../../shared/http/openapi.ts";
import { INVALID, KEY_ERRORS } from "../api/errors.ts";
import { usageListSchema, usageQuerySchema } from "../api/usage.ts";
import { usage } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { database } from "../lib/db.ts";
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

export const usageRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid }).openapi(
  route,
  async (c) => {
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
  },
);
