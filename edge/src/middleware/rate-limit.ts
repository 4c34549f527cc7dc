// Rate limits per account, in requests and in tokens per minute (wrangler.toml [vars]): all of an
// account's API keys draw on one budget, so a new key buys no more. The account's RateLimiter
// Durable Object counts them (lib/rate-limiter.ts), exactly, whichever isolates the requests reach.
// Inference reserves tokens before it runs and settles after (inference/meter.ts), so an account
// whose minute's tokens are spent or reserved is refused new requests until the minute ends.
// Answers carry OpenAI's x-ratelimit-* headers, the account's; a refusal is 429 with Retry-After.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Bindings, EdgeEnv } from "../env.ts";
import { limiterOf, type Quota, type Reservation, secondsLeft } from "../lib/rate-limiter.ts";

const limitsSchema = z
  .object({
    RATE_LIMIT_REQUESTS_PER_MINUTE: z.coerce.number().int().positive(),
    RATE_LIMIT_TOKENS_PER_MINUTE: z.coerce.number().int().positive(),
  })
  .transform((vars) => ({
    requests: vars.RATE_LIMIT_REQUESTS_PER_MINUTE,
    tokens: vars.RATE_LIMIT_TOKENS_PER_MINUTE,
  }));

/** The limits each env sets, read once. */
const limitsOfEnv = new WeakMap<Bindings, Quota>();

function limitsOf(env: Bindings): Quota {
  let limits = limitsOfEnv.get(env);
  if (!limits) {
    limits = limitsSchema.parse(env);
    limitsOfEnv.set(env, limits);
  }
  return limits;
}

export const rateLimit = createMiddleware<EdgeEnv>(async (c, next) => {
  const limits = limitsOf(c.env);
  const limiter = limiterOf(c.env, c.get("caller").accountId);
  const { used, exceeded, retryAfter } = await limiter.admit(limits);
  // Set before the answer is made, so that it is made with them: set after, each header would
  // copy the whole response (Hono's Context.header on a finished response).
  setRateLimitHeaders(c, limits, used);
  if (exceeded) refuse(c, exceeded, retryAfter);
  await next();
});

/**
 * Reserves up to `tokens` of the account's minute for the request in `c` (what is left, when less
 * is); the request settles it once over (inference/meter.ts). Requests running at once may have
 * reserved what was left when this one was admitted: then it is refused, as if it came after them.
 */
export async function reserveTokens(c: Context<EdgeEnv>, tokens: number): Promise<Reservation> {
  const limits = limitsOf(c.env);
  const limiter = limiterOf(c.env, c.get("caller").accountId);
  const reservation = await limiter.reserve(limits, tokens);
  if (reservation.tokens === 0 && tokens > 0) {
    c.header("x-ratelimit-remaining-tokens", "0");
    refuse(c, `${limits.tokens} tokens`, secondsLeft(reservation.window));
  }
  return reservation;
}

/**
 * Gives back what a reservation held beyond the `used` tokens (or charges what went over it); with
 * none, charges them all.
 */
export async function settleTokens(
  env: Bindings,
  accountId: string,
  reservation: Reservation | null,
  used: number,
): Promise<void> {
  await limiterOf(env, accountId).settle(reservation, used);
}

function refuse(c: Context<EdgeEnv>, exceeded: string, retryAfter: number): never {
  c.header("Retry-After", String(retryAfter));
  throw new ApiError(
    429,
    `rate limit reached: ${exceeded} per minute for this account (all its API keys together); retry in ${retryAfter} s`,
    "rate_limit_exceeded",
  );
}

function setRateLimitHeaders(c: Context<EdgeEnv>, limits: Quota, used: Quota): void {
  c.header("x-ratelimit-limit-requests", String(limits.requests));
  c.header("x-ratelimit-remaining-requests", String(Math.max(0, limits.requests - used.requests)));
  c.header("x-ratelimit-limit-tokens", String(limits.tokens));
  c.header("x-ratelimit-remaining-tokens", String(Math.max(0, limits.tokens - used.tokens)));
}
