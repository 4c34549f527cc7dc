// Rate limits per account (all its API keys together), in requests and tokens per minute: counted
// by the account's RateLimiter Durable Object, refused with 429 and Retry-After, and described in
// x-ratelimit-* headers. The Worker runs here with small limits in place of wrangler.toml's.
import {
  createExecutionContext,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../edge/src/app.ts";
import type { EdgeEnv } from "../../edge/src/env.ts";
import { issueKey } from "../../edge/src/lib/accounts.ts";
import { database } from "../../edge/src/lib/db.ts";
import { limiterOf, type RateLimiter, WINDOW_MS } from "../../edge/src/lib/rate-limiter.ts";
import { reserveTokens } from "../../edge/src/middleware/rate-limit.ts";
import { toApiError } from "../../shared/http/api-error.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { DAY_PROMPT, plantedModel } from "./steered-model.ts";
import { newAccount, usageRows } from "./support.ts";

const LIMITS = { RATE_LIMIT_REQUESTS_PER_MINUTE: 3, RATE_LIMIT_TOKENS_PER_MINUTE: 100 };
const QUOTA = { requests: 3, tokens: 100 };
const app = createApp();

/**
 * An authenticated request (by default a cheap one, GET /v1/usage), under the small limits; its
 * background work done, for a whole answer.
 */
async function request(
  key: string,
  limits: object = LIMITS,
  { path = "/v1/usage", ...init }: RequestInit & { path?: string } = {},
): Promise<Response> {
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const ctx = createExecutionContext();
  const response = await app.request(path, { headers, ...init }, { ...env, ...limits }, ctx);
  if (!response.headers.get("content-type")?.includes("text/event-stream")) {
    await waitOnExecutionContext(ctx);
  }
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

  it("holds the limit exactly for requests that arrive together, as many isolates would send them", async () => {
    const { key } = await newAccount();
    const answers = await Promise.all(Array.from({ length: 12 }, () => request(key)));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
    // Each admitted request was counted once, in turn: no two saw the same count.
    const remaining = answers
      .filter((response) => response.status === 200)
      .map((response) => limitHeaders(response).requests[1]);
    expect(remaining.sort()).toEqual(["0", "1", "2"]);
  });

  it("admits inference requests sent together up to the limits, and meters each that ran once", async () => {
    const { key, accountId } = await newAccount();
    const { id } = await plantedModel(accountId);
    const limits = { RATE_LIMIT_REQUESTS_PER_MINUTE: 4, RATE_LIMIT_TOKENS_PER_MINUTE: 100_000 };
    const chat = (stream: boolean) => {
      const body = { model: id, messages: DAY_PROMPT, max_tokens: 4, stream };
      return request(key, limits, {
        method: "POST",
        path: "/v1/chat/completions",
        body: JSON.stringify(body),
      });
    };
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => chat(i % 2 === 0)));
    const admitted = answers.filter((response) => response.status === 200);
    expect(admitted).toHaveLength(4);
    expect(answers.filter((response) => response.status === 429)).toHaveLength(6);
    for (const response of admitted) await response.text();
    const ids = admitted.map((response) => response.headers.get("x-request-id"));
    const rows = await usageRows(accountId, 4);
    expect(rows.map((row) => row.requestId).sort()).toEqual(ids.sort());
    // And the tokens they used, settled: what the next answer says is left.
    const used = rows.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0);
    await vi.waitFor(async () => {
      const next = await request(key, { ...limits, RATE_LIMIT_REQUESTS_PER_MINUTE: 5 });
      expect(limitHeaders(next).tokens).toEqual(["100000", String(100_000 - used)]);
    });
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

  it("refuses new requests once the minute's used tokens reach the limit, on every key", async () => {
    const { key, accountId } = await newAccount();
    const second = await issueKey(database(env.DB), accountId, "second", "user");
    const limiter = limiterOf(env, accountId);
    // What requests that reserved nothing used, settled after them.
    const use = async (tokens: number) => limiter.settle(await limiter.reserve(QUOTA, 0), tokens);
    await use(60);
    await use(39);
    const allowed = await request(key);
    expect(allowed.status).toBe(200);
    expect(limitHeaders(allowed).tokens).toEqual(["100", "1"]);

    await use(1);
    const refused = await request(second.key);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ApiErrorBody).error.message).toContain("100 tokens");
    expect(limitHeaders(refused).tokens).toEqual(["100", "0"]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("holds reserved tokens until the request settles, then keeps what it used", async () => {
    const { key, accountId } = await newAccount();
    const limiter = limiterOf(env, accountId);
    const first = await limiter.reserve(QUOTA, 70);
    expect(first.tokens).toBe(70);
    // What fits: 30 of the 50 asked.
    const second = await limiter.reserve(QUOTA, 50);
    expect(second.tokens).toBe(30);
    // Every token reserved: no new request runs while those two do.
    expect((await request(key)).status).toBe(429);

    await limiter.settle(first, 12);
    await limiter.settle(second, 8);
    const after = await request(key);
    expect(after.status).toBe(200);
    expect(limitHeaders(after).tokens).toEqual(["100", "80"]);
  });

  it("refuses a request admitted with tokens left that requests beside it reserved first", async () => {
    const { accountId, id: keyId } = await newAccount();
    // An inference route's reservation, alone: what it does after the request was admitted.
    const reserving = new Hono<EdgeEnv>()
      .onError((error, c) => toApiError(error).response(c))
      .get("/", async (c) => {
        c.set("caller", { accountId, keyId, scope: "admin" });
        return c.json(await reserveTokens(c, 60));
      });
    const reserve = () => reserving.request("/", {}, { ...env, ...LIMITS });
    expect(await (await reserve()).json()).toMatchObject({ tokens: 60 });
    // What fits: the 40 left.
    expect(await (await reserve()).json()).toMatchObject({ tokens: 40 });
    const refused = await reserve();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-ratelimit-remaining-tokens")).toBe("0");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as ApiErrorBody).error.message).toContain("100 tokens");
  });

  it("forgets an account's earlier minutes once a new one starts", async () => {
    const { key, accountId } = await newAccount();
    const lastHour = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 3_600_000;
    await runInDurableObject(limiterOf(env, accountId), (_limiter: RateLimiter, state) => {
      state.storage.kv.put("window", { start: lastHour, requests: 99, tokens: 99 });
    });
    const response = await request(key);
    expect(response.status).toBe(200);
    expect(limitHeaders(response)).toEqual({ requests: ["3", "2"], tokens: ["100", "100"] });
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
