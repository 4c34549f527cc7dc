// GET /v1/usage: the caller's account's metered tokens per UTC day and model, summed from the
// usage rows the inference routes write (lib/usage.ts), over an optional range of days.
import { and, asc, count, eq, gte, lte, sum } from "drizzle-orm";
import { Hono } from "hono";
import { type UsageList, usageQuerySchema } from "../../../shared/api/usage.ts";
import { parseQuery } from "../../../shared/http/query.ts";
import { usage } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { database } from "../lib/db.ts";

export const usageRoutes = new Hono<EdgeEnv>().get("/v1/usage", async (c) => {
  const { start, end, model } = parseQuery(c.req.raw, usageQuerySchema);
  const rows = await database(c.env.DB)
    .select({
      day: usage.day,
      model: usage.model,
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
    .groupBy(usage.day, usage.model)
    .orderBy(asc(usage.day), asc(usage.model));
  const data = rows.map((row) => ({
    day: row.day,
    model: row.model,
    requests: row.requests,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    total_tokens: row.promptTokens + row.completionTokens,
  }));
  return c.json({ object: "list", data } satisfies UsageList);
});
