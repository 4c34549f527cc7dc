// When a trait whose extraction no GPU node could take (none reachable, or each stopping or full)
// is tried again. Not on the next read: the playground reads a model every second, and a node
// restarting is gone for seconds. Each wait is as long as the outage has lasted so far, so the
// waits double, from the first delay up to the longest; the trait fails only once its nodes have
// stayed unavailable for the whole give-up span. The values are wrangler.toml's [vars].
import { z } from "zod";
import type { Bindings } from "../env.ts";
import type { TraitRow } from "./models.ts";

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

/** Whether a pending trait may be submitted now. */
export function isDue(trait: TraitRow, now: number): boolean {
  return trait.retryAt === null || trait.retryAt <= now;
}

/** What a trait becomes when no node took its job at `now`: pending until its next try, or failed. */
export function afterUnavailable(
  policy: RetryPolicy,
  trait: TraitRow,
  error: string,
  now: number,
): Partial<TraitRow> {
  const since = trait.unavailableSince ?? now;
  const giveUpAt = since + policy.giveUpMs;
  if (now >= giveUpAt) {
    const reason = `no GPU node could take its extraction since ${new Date(since).toISOString()}`;
    return { status: "failed", error: `${reason}: ${error}`, retryAt: null };
  }
  const delay = Math.min(Math.max(now - since, policy.firstDelayMs), policy.maxDelayMs);
  // The last try comes at the give-up time itself, not a whole delay past it.
  const retryAt = Math.min(now + delay, giveUpAt);
  return { status: "pending", error, unavailableSince: since, retryAt };
}
