// Metering an inference request: its usage row, and its tokens charged to the key's rate limit.
// Both wait on the request's end, which for a stream comes after the response has been returned,
// so they run under waitUntil: the Worker stays alive for them even when the client has left.
import type { Context } from "hono";
import type { EdgeEnv } from "../env.ts";
import { database } from "../lib/db.ts";
import { type Metered, usageInsert } from "../lib/usage.ts";
import { windowCharge } from "../middleware/rate-limit.ts";

/** What a request produced, once it is over. */
export type Measured = Pick<Metered, "promptTokens" | "completionTokens" | "outcome">;

/** Meters the request in `c` under `model` once `measured` settles. */
export function meter(
  c: Context<EdgeEnv>,
  model: string,
  measured: Measured | Promise<Measured>,
): void {
  const db = database(c.env.DB);
  const caller = c.get("caller");
  const endpoint = c.req.routePath;
  // The request's count goes to D1 with its tokens, in one write (rate-limit.ts).
  const requests = c.get("requestCountOwed") ? 1 : 0;
  c.set("requestCountOwed", false);
  const metering = Promise.resolve(measured).then(async (tokens) => {
    const total = tokens.promptTokens + tokens.completionTokens;
    if (total === 0 && requests === 0) return;
    const charge = windowCharge(db, caller.keyId, { requests, tokens: total });
    if (total === 0) {
      charge.learn(await charge.statement);
      return;
    }
    // One round trip for all the writes: at the edge, D1 round trips are what costs.
    const [, totals] = await db.batch([
      usageInsert(db, caller, { model, endpoint, ...tokens }),
      charge.statement,
    ]);
    charge.learn(totals);
  });
  c.executionCtx.waitUntil(metering.catch((error) => console.error("metering failed", error)));
}
