// Metering an inference request: before it runs, tokens reserved in its account's rate window
// (what it may make, max tokens, and an estimate of its prompt); once it is over, its usage row,
// sent to the usage queue under the request's id, and the reservation settled with what it used.
// The end comes, for a stream, after the response has been returned, so this runs under waitUntil:
// the Worker stays alive for it even when the client has left.
import type { Context } from "hono";
import { DEFAULT_MAX_TOKENS } from "../../../shared/limits.ts";
import type { NodeChatRequest } from "../../../shared/node-api/generation.ts";
import type { UsageKind } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import type { Reservation } from "../lib/rate-limiter.ts";
import { type Metered, recordUsage } from "../lib/usage.ts";
import { reserveTokens, settleTokens } from "../middleware/rate-limit.ts";

/** What a request produced, once it is over. */
export type Measured = Pick<
  Metered,
  "promptTokens" | "completionTokens" | "outcome" | "finishReason" | "steeringReport"
>;

/** A prompt's tokens, estimated before the node counts them: English runs about 4 bytes a token. */
const BYTES_PER_TOKEN = 4;

/** Reserves what the request in `c` may use of its account's minute, before it runs. */
export function reserveFor(c: Context<EdgeEnv>, body: NodeChatRequest): Promise<Reservation> {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS;
  const prompt = Math.ceil(JSON.stringify(body.messages).length / BYTES_PER_TOKEN);
  return reserveTokens(c, maxTokens + prompt);
}

/**
 * Meters the request in `c` under `model` once `measured` settles: an inference request's by
 * default, or another request that ran a model as it was asked (a condition's calibration, which
 * reserved nothing: its tokens are charged once it is over).
 */
export function meter(
  c: Context<EdgeEnv>,
  model: string,
  measured: Measured | Promise<Measured>,
  {
    kind = "inference",
    reservation = null,
  }: { kind?: UsageKind; reservation?: Reservation | Promise<Reservation> | null } = {},
): void {
  const caller = c.get("caller");
  const requestId = c.get("requestId");
  const endpoint = c.req.routePath;
  const { env } = c;
  const metering = Promise.resolve(measured).then(
    async (tokens) => {
      const used = tokens.promptTokens + tokens.completionTokens;
      await Promise.all([
        recordUsage(env.USAGE_QUEUE, requestId, caller, { model, endpoint, kind, ...tokens }),
        settleTokens(env, caller.accountId, await reservation, used),
      ]);
    },
    // No answer, nothing used: the reservation is given back whole (a refused one held none).
    () =>
      Promise.resolve(reservation).then(
        (held) => settleTokens(env, caller.accountId, held, 0),
        () => undefined,
      ),
  );
  c.executionCtx.waitUntil(metering.catch((error) => console.error("metering failed", error)));
}
