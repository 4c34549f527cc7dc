// Rate limits per account (all its API keys together), in requests and tokens per minute: counted
// in D1 (and by the isolate in between), refused with 429 and Retry-After, and described in
// x-ratelimit-* headers. The Worker runs here with small limits in place of wrangler.toml's.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../edge/src/app.ts";
import { rateWindows } from "../../edge/src/db/schema.ts";
import { issueKey } from "../../edge/src/lib/accounts.ts";
import { database } from "../../edge/src/lib/db.ts";
import { owe } from "../../edge/src/lib/ledger.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { newAccount } from "./support.ts";

const LIMITS = { RATE_LIMIT_REQUESTS_PER_MINUTE: 3, RATE_LIMIT_TOKENS_PER_MINUTE: 100 };
const app = createApp();
const metered = {
  model: "sm_test",
  endpoint: "/v1/chat/completions",
  outcome: "completed",
  kind: "inference",
} as const;

/** A cheap authenticated request, under the small limits; its background D1 writes done. */
async function request(key: string, limits: object = LIMITS): Promise<Response> {
  const headers = { authorization: `Bearer ${key}` };
  const ctx = createExecutionContext();
  const response = await app.request("/v1/usage", { headers }, { ...env, ...limits }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function limitHeaders(response: Response) {
  const header = (name: string) => response.headers.get(`x-ratelimit-${name}`);
  return {
    requests: [header("limit-requests"), header("remaining-requests")],
    tokens: [header("limit-tokens"), header("remaining-tokens")],
  };
}

// A test's requests must fall in one clock minute: near a minute's end, wait for the next.
beforeEach(async () => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
});

describe("rate limits", () => {
  it("counts requests per account and refuses the one over the limit with 429 and Retry-After", async () => {
    const { key } = await newAccount();
    const remaining = [];
    for (let i = 0; i < LIMITS.RATE_LIMIT_REQUESTS_PER_MINUTE; i++) {
      const response = await request(key);
      expect(response.status).toBe(200);
      expect(limitHeaders(response).tokens).toEqual(["100", "100"]);
      remaining.push(limitHeaders(response).requests);
    }
    expect(remaining).toEqual([
      ["3", "2"],
      ["3", "1"],
      ["3", "0"],
    ]);

    const refused = await request(key);
    expect(refused.status).toBe(429);
    const body: ApiErrorBody = await refused.json();
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(body.error.message).toContain("3 requests per minute for this account");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limitHeaders(refused).requests).toEqual(["3", "0"]);
  });

  it("writes every request's count to D1, the isolate's own counts included", async () => {
    const { key, accountId } = await newAccount();
    for (let i = 0; i < LIMITS.RATE_LIMIT_REQUESTS_PER_MINUTE; i++) await request(key);
    const [row] = await database(env.DB)
      .select()
      .from(rateWindows)
      .where(eq(rateWindows.accountId, accountId));
    expect(row?.requests).toBe(LIMITS.RATE_LIMIT_REQUESTS_PER_MINUTE);
  });

  it("shares one budget between an account's keys: a new key buys no more requests", async () => {
    const { key, accountId } = await newAccount();
    const second = await issueKey(database(env.DB), accountId, "second", "user");
    for (let i = 0; i < LIMITS.RATE_LIMIT_REQUESTS_PER_MINUTE; i++) {
      expect((await request(key)).status).toBe(200);
    }
    const refused = await request(second.key);
    expect(refused.status).toBe(429);
    expect(limitHeaders(refused).requests).toEqual(["3", "0"]);
    // Another account's budget is its own.
    expect((await request((await newAccount()).key)).status).toBe(200);
  });

  it("refuses new requests once the minute's charged tokens reach the limit, on every key", async () => {
    const { key, id, accountId, scope } = await newAccount();
    const second = await issueKey(database(env.DB), accountId, "second", "user");
    const caller = { accountId, keyId: id, scope };
    const chargeTokens = (completionTokens: number) =>
      owe(env.DB, {
        caller,
        requests: 0,
        usage: { ...metered, promptTokens: 0, completionTokens },
      });
    await chargeTokens(60);
    await chargeTokens(39);
    const allowed = await request(key);
    expect(allowed.status).toBe(200);
    expect(limitHeaders(allowed).tokens).toEqual(["100", "1"]);

    await chargeTokens(1);
    const refused = await request(second.key);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ApiErrorBody).error.message).toContain("100 tokens");
    expect(limitHeaders(refused).tokens).toEqual(["100", "0"]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("forgets an account's earlier minutes once a new one starts", async () => {
    const { key, accountId } = await newAccount();
    const db = database(env.DB);
    const lastHour = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    await db.insert(rateWindows).values({ accountId, window: lastHour, requests: 99, tokens: 99 });
    expect((await request(key)).status).toBe(200);
    const old = await db
      .select()
      .from(rateWindows)
      .where(and(eq(rateWindows.accountId, accountId), eq(rateWindows.window, lastHour)));
    expect(old).toEqual([]);
  });

  it("applies wrangler.toml's limits by default", async () => {
    const { key } = await newAccount();
    const response = await request(key, {});
    expect(limitHeaders(response)).toEqual({
      requests: ["600", "599"],
      tokens: ["200000", "200000"],
    });
  });
});
