// When a job that no GPU node could take (none reachable, or each stopping or full) is tried again.
// Not on the next read: the playground reads a model every second, and a node restarting is gone
// for seconds. Each wait is as long as the outage has lasted so far, so the waits double, from the
// first delay up to the longest; the job fails only once its nodes have stayed unavailable for the
// whole give-up span. The values are wrangler.toml's [vars] (named TRAINING_*, they serve every
// kind of job: extractions and evaluations).
import { z } from "zod";
import type { Bindings } from "../env.ts";

export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  giveUpMs: number;
}

const retryPolicySchema = z
  .object({
    TRAINING_RETRY_FIRST_MS: z.coerce.number().int().positive(),
    TRAINING_RETRY_MAX_MS: z.coerce.number().int().positive(),
    TRAINING_GIVE_UP_MS: z.coerce.number().int().positive(),
  })
  .transform((vars) => ({
    firstDelayMs: vars.TRAINING_RETRY_FIRST_MS,
    maxDelayMs: vars.TRAINING_RETRY_MAX_MS,
    giveUpMs: vars.TRAINING_GIVE_UP_MS,
  }));

export function retryPolicyOf(env: Bindings): RetryPolicy {
  return retryPolicySchema.parse(env);
}

/** How a waiting job's next try is timed: when it is due, and since when no node has taken it. */
export interface RetryTiming {
  unavailableSince: number | null;
  retryAt: number | null;
}

/** Whether a waiting job may be submitted now. */
export function isDue(timing: RetryTiming, now: number): boolean {
  return timing.retryAt === null || timing.retryAt <= now;
}

/** What follows when no node took a job at `now`: a later try, or giving up (since when). */
export function afterUnavailable(
  policy: RetryPolicy,
  timing: RetryTiming,
  now: number,
): { giveUp: true; since: number } | { giveUp: false; since: number; retryAt: number } {
  const since = timing.unavailableSince ?? now;
  const giveUpAt = since + policy.giveUpMs;
  if (now >= giveUpAt) return { giveUp: true, since };
  const delay = Math.min(Math.max(now - since, policy.firstDelayMs), policy.maxDelayMs);
  // The last try comes at the give-up time itself, not a whole delay past it.
  return { giveUp: false, since, retryAt: Math.min(now + delay, giveUpAt) };
}
