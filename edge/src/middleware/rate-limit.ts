// Rate limits per API key, in requests and in tokens per minute (wrangler.toml [vars]), counted in
// D1 so that every Worker instance sees the same counts: a row per key per clock minute
// (rate_windows), which an atomic upsert adds to and which answers the window's totals. Tokens are
// charged by the inference routes once a request has used them, so a key that spent its tokens is
// refused new requests until the minute ends. Answers carry OpenAI's x-ratelimit-* headers; a
// refusal is 429 with Retry-After.
//
// The hot path does not wait for D1: an isolate learns a key's window from D1 on the key's first
// request there in the minute, then counts its own requests at once and writes each count to D1
// after the answer (in the same batch as the request's usage, when it has some), taking D1's
// totals (everyone's requests) as they come back. So limits are exact within an isolate and
// behind, across isolates, by the requests in flight.
import { and, eq, lt, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { ApiError } from "../../../shared/http/api-error.ts";
import { rateWindows } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { type Db, database } from "../lib/db.ts";
import { IsolateCache } from "../lib/isolate-cache.ts";

const WINDOW_MS = 60_000;

const limitsSchema = z
  .object({
    RATE_LIMIT_REQUESTS_PER_MINUTE: z.coerce.number().int().positive(),
    RATE_LIMIT_TOKENS_PER_MINUTE: z.coerce.number().int().positive(),
  })
  .transform((vars) => ({
    requests: vars.RATE_LIMIT_REQUESTS_PER_MINUTE,
    tokens: vars.RATE_LIMIT_TOKENS_PER_MINUTE,
  }));

type Limits = z.infer<typeof limitsSchema>;

/** What a key has used in the current window, this request included. */
interface Used {
  requests: number;
  tokens: number;
}

/** This isolate's knowledge of each key's current window. */
const known = new IsolateCache<Used & { window: number }>(WINDOW_MS);

export const rateLimit = createMiddleware<EdgeEnv>(async (c, next) => {
  const limits = limitsSchema.parse(c.env);
  const window = currentWindow();
  const { keyId } = c.get("caller");
  const db = database(c.env.DB);
  const mine = known.get(keyId);
  let used: Used;
  if (mine?.window === window) {
    // Counted here at once; in D1 after the answer, with the request's tokens if it meters any.
    mine.requests++;
    used = { requests: mine.requests, tokens: mine.tokens };
    c.set("requestCountOwed", true);
  } else {
    used = await startWindow(db, keyId, window);
  }
  try {
    const exceeded = exceededLimit(limits, used);
    if (exceeded) {
      const retryAfter = Math.max(1, Math.ceil((window + WINDOW_MS - Date.now()) / 1000));
      setRateLimitHeaders(c, limits, used);
      c.header("Retry-After", String(retryAfter));
      throw new ApiError(
        429,
        `rate limit reached: ${exceeded} per minute for this API key; retry in ${retryAfter} s`,
        "rate_limit_exceeded",
      );
    }
    await next();
    setRateLimitHeaders(c, limits, used);
  } finally {
    if (c.get("requestCountOwed")) {
      const charge = windowCharge(db, keyId, { requests: 1, tokens: 0 });
      const counted = charge.statement.then(charge.learn);
      c.executionCtx.waitUntil(counted.catch((error) => console.error("rate count failed", error)));
    }
  }
});

/** Adds tokens a request used to its key's current window (prompt and completion together). */
export async function chargeTokens(db: Db, keyId: string, tokens: number): Promise<void> {
  if (tokens <= 0) return;
  const charge = windowCharge(db, keyId, { requests: 0, tokens });
  charge.learn(await charge.statement);
}

/**
 * Adds to a key's current window, as a statement a caller may batch with its other writes (D1 runs
 * a batch in one round trip): this isolate's tokens move at once, and D1's totals (everyone's)
 * are learnt when they come back.
 */
export function windowCharge(db: Db, keyId: string, add: Used) {
  const window = currentWindow();
  const mine = known.get(keyId);
  if (mine?.window === window) mine.tokens += add.tokens;
  const statement = db
    .insert(rateWindows)
    .values({ keyId, window, ...add })
    .onConflictDoUpdate({
      target: [rateWindows.keyId, rateWindows.window],
      set: {
        requests: sql`${rateWindows.requests} + ${add.requests}`,
        tokens: sql`${rateWindows.tokens} + ${add.tokens}`,
      },
    })
    .returning({ requests: rateWindows.requests, tokens: rateWindows.tokens });
  return {
    statement,
    learn: ([totals]: Used[]) => {
      if (totals) learn(keyId, window, totals);
    },
  };
}

/** The clock minute now, as Unix milliseconds at its start. */
function currentWindow(): number {
  return Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
}

/** A key's first request this isolate sees in a minute: counted in D1, whose totals it learns. */
async function startWindow(db: Db, keyId: string, window: number): Promise<Used> {
  const [used] = await db
    .insert(rateWindows)
    .values({ keyId, window, requests: 1 })
    .onConflictDoUpdate({
      target: [rateWindows.keyId, rateWindows.window],
      set: { requests: sql`${rateWindows.requests} + 1` },
    })
    .returning({ requests: rateWindows.requests, tokens: rateWindows.tokens });
  if (!used) throw new Error("the rate window upsert returned no row");
  // A key's first request in a minute ends its earlier windows: they are of no more use.
  if (used.requests === 1) {
    await db
      .delete(rateWindows)
      .where(and(eq(rateWindows.keyId, keyId), lt(rateWindows.window, window)));
  }
  learn(keyId, window, used);
  return used;
}

/** D1's totals include other isolates' requests; ours may have moved on since it answered. */
function learn(keyId: string, window: number, totals: Used): void {
  const mine = known.get(keyId);
  if (mine?.window !== window) {
    known.set(keyId, { window, ...totals });
    return;
  }
  mine.requests = Math.max(mine.requests, totals.requests);
  mine.tokens = Math.max(mine.tokens, totals.tokens);
}

/** Which limit the request goes over, if any, in words. Tokens: spent ones refuse new requests. */
function exceededLimit(limits: Limits, used: Used): string | null {
  if (used.requests > limits.requests) return `${limits.requests} requests`;
  if (used.tokens >= limits.tokens) return `${limits.tokens} tokens`;
  return null;
}

function setRateLimitHeaders(c: Context<EdgeEnv>, limits: Limits, used: Used): void {
  c.header("x-ratelimit-limit-requests", String(limits.requests));
  c.header("x-ratelimit-remaining-requests", String(Math.max(0, limits.requests - used.requests)));
  c.header("x-ratelimit-limit-tokens", String(limits.tokens));
  c.header("x-ratelimit-remaining-tokens", String(Math.max(0, limits.tokens - used.tokens)));
}
