// Each account's rate window, exact across isolates: a Durable Object per account (named by the
// account's id: all its keys draw on it) holds the current clock minute's requests and tokens. A
// Durable Object answers one call at a time, so requests that arrive together, from any number of
// isolates, are counted one after another and none passes a limit another already reached. An
// inference request reserves tokens before it runs (its max tokens and prompt estimate, or what is
// left of the minute's) and settles after with what it used. The window lives in the object's
// memory, not its storage: a storage write holds the object's answer until it is durable, and
// every request's three calls (admit, reserve, settle) would wait on one (at 16 concurrent clients
// of one account that tripled the edge's p99, bench/RESULTS.md). Cloudflare evicts an object only
// once it has been idle for a while, and what it forgets then is at most one minute's count.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";

export const WINDOW_MS = 60_000;

/** Requests and tokens per minute: the limits, or what a window holds. */
export interface Quota {
  requests: number;
  tokens: number;
}

/** A minute's count: requests, and tokens used or reserved by requests still running. */
interface Window extends Quota {
  /** The minute, as Unix milliseconds at its start. */
  start: number;
}

/** What the limiter said of a request. */
export interface Admission {
  /** The window, this request counted. */
  used: Quota;
  /** The limit the request goes over, in words, or null when it may run. */
  exceeded: string | null;
  /** Seconds until the window ends. */
  retryAfter: number;
}

/** A reservation, to settle once the request is over. */
export interface Reservation {
  window: number;
  tokens: number;
}

export class RateLimiter extends DurableObject<Bindings> {
  private window: Window | undefined;
  /** Counts a request and says whether it may run. Refused ones count too: retrying at once gains nothing. */
  admit(limits: Quota): Admission {
    const window = this.current();
    window.requests++;
    return {
      used: { requests: window.requests, tokens: window.tokens },
      exceeded: exceeded(limits, window),
      retryAfter: secondsLeft(window.start),
    };
  }

  /** Reserves up to `tokens` of the minute's budget (what is left, when less is). */
  reserve(limits: Quota, tokens: number): Reservation {
    const window = this.current();
    const granted = Math.max(0, Math.min(tokens, limits.tokens - window.tokens));
    window.tokens += granted;
    return { window: window.start, tokens: granted };
  }

  /**
   * Replaces a reservation by the tokens the request used (a request that reserved nothing: adds
   * them). One made in an earlier minute was forgotten with its window: the tokens count in the
   * minute the request ended in.
   */
  settle(reservation: Reservation | null, used: number): void {
    const window = this.current();
    const reserved = reservation?.window === window.start ? reservation.tokens : 0;
    window.tokens = Math.max(0, window.tokens + used - reserved);
  }

  /** The current minute's window; an earlier one is over and forgotten. */
  private current(): Window {
    const start = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    if (this.window?.start !== start) this.window = { start, requests: 0, tokens: 0 };
    return this.window;
  }
}

/** Which limit a request goes over, if any. Tokens: spent or reserved ones refuse new requests. */
function exceeded(limits: Quota, used: Quota): string | null {
  if (used.requests > limits.requests) return `${limits.requests} requests`;
  if (used.tokens >= limits.tokens) return `${limits.tokens} tokens`;
  return null;
}

/** Seconds until the window that started at `start` ends, at least 1: a 429's Retry-After. */
export function secondsLeft(start: number): number {
  return Math.max(1, Math.ceil((start + WINDOW_MS - Date.now()) / 1000));
}

/** The account's limiter. */
export function limiterOf(env: Bindings, accountId: string): DurableObjectStub<RateLimiter> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(accountId));
}
