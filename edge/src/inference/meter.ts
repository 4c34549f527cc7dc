// Metering an inference request: its usage row, and its tokens (and its count, when the rate
// limiter left that owed) charged to the account's rate window, written by the ledger. They wait on
// the request's end, which for a stream comes after the response has been returned, so they run
// under waitUntil: the Worker stays alive for them even when the client has left.
import type { Context } from "hono";
import type { UsageKind } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { owe } from "../lib/ledger.ts";
import type { Metered } from "../lib/usage.ts";

/** What a request produced, once it is over. */
export type Measured = Pick<
  Metered,
  "promptTokens" | "completionTokens" | "outcome" | "steeringReport"
>;

/**
 * Meters the request in `c` under `model` once `measured` settles: an inference request's by
 * default, or another request that ran a model as it was asked (a condition's calibration).
 */
export function meter(
  c: Context<EdgeEnv>,
  model: string,
  measured: Measured | Promise<Measured>,
  kind: UsageKind = "inference",
): void {
  const caller = c.get("caller");
  const endpoint = c.req.routePath;
  const requests = c.get("requestCountOwed") ? 1 : 0;
  c.set("requestCountOwed", false);
  const metering = Promise.resolve(measured).then((tokens) =>
    owe(c.env.DB, { caller, requests, usage: { model, endpoint, kind, ...tokens } }),
  );
  c.executionCtx.waitUntil(metering.catch((error) => console.error("metering failed", error)));
}
