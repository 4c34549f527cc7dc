// Rate limits per account, in requests and in tokens per minute (wrangler.toml [vars]): all of an
// account's API keys draw on one budget, so a new key buys no more. Counted per clock minute in D1
// and, in between, by the isolate (lib/rate-windows.ts). Tokens are charged by the inference routes
// once a request has used them, so an account that spent its tokens is refused new requests until
// the minute ends. Answers carry OpenAI's x-ratelimit-* headers, the account's; a refusal is 429
// with Retry-After.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Bindings, EdgeEnv } from "../env.ts";
import { owe } from "../lib/ledger.ts";
import { countRequest, currentWindow, type Used, WINDOW_MS } from "../lib/rate-windows.ts";

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

/** The limits each env sets, read once. */
const limitsOfEnv = new WeakMap<Bindings, Limits>();

function limitsOf(env: Bindings): Limits {
  let limits = limitsOfEnv.get(env);
  if (!limits) {
    limits = limitsSchema.parse(env);
    limitsOfEnv.set(env, limits);
  }
  return limits;
}

export const rateLimit = createMiddleware<EdgeEnv>(async (c, next) => {
  const limits = limitsOf(c.env);
  const window = currentWindow();
  const caller = c.get("caller");
  const { used, owed } = await countRequest(c.env.DB, caller.accountId, window);
  // Owed to D1 after the answer: with the request's tokens when it meters some (inference/meter.ts).
  c.set("requestCountOwed", owed);
  // Set before the answer is made, so that it is made with them: set after, each header would
  // copy the whole response (Hono's Context.header on a finished response).
  setRateLimitHeaders(c, limits, used);
  try {
    const exceeded = exceededLimit(limits, used);
    if (exceeded) {
      const retryAfter = Math.max(1, Math.ceil((window + WINDOW_MS - Date.now()) / 1000));
      c.header("Retry-After", String(retryAfter));
      throw new ApiError(
        429,
        `rate limit reached: ${exceeded} per minute for this account (all its API keys together); retry in ${retryAfter} s`,
        "rate_limit_exceeded",
      );
    }
    await next();
  } finally {
    // A request that metered nothing still owes D1 its count.
    if (c.get("requestCountOwed")) {
      const counted = owe(c.env.DB, { caller, requests: 1, usage: null });
      c.executionCtx.waitUntil(counted.catch((error) => console.error("rate count failed", error)));
    }
  }
});

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
