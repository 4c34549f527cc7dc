// Each account's rate window: the requests and tokens of all its API keys in the current clock
// minute (keys share their account's budget: making more keys buys no more). D1 holds the truth
// every isolate shares (rate_windows: a row per account and minute, which an atomic upsert adds
// to and which answers the window's totals); an isolate keeps its own copy, so that counting a
// request does not wait for D1. It learns an account's window from D1 on the account's first
// request there in the minute, then counts its own requests and tokens at once and sends them to
// D1 after the answers (lib/ledger.ts), taking in D1's totals, which include other isolates'
// requests, as they come back. So counts are exact within an isolate and behind, across isolates,
// by the requests in flight.
import { and, eq, lt, sql } from "drizzle-orm";
import { rateWindows } from "../db/schema.ts";
import { database } from "./db.ts";
import { IsolateCache } from "./isolate-cache.ts";
import { perBinding, statementTemplate } from "./statement-template.ts";

export const WINDOW_MS = 60_000;

/** What an account has used in a window. */
export interface Used {
  requests: number;
  tokens: number;
}

/** This isolate's knowledge of each account's current window. */
const known = new IsolateCache<Used & { window: number }>(WINDOW_MS);

/** The clock minute now, as Unix milliseconds at its start. */
export function currentWindow(): number {
  return Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
}

/**
 * Counts a request of `accountId` in `window` and says what the account has used, this request
 * included. `owed` tells whether D1 still has to count it: it does when the isolate knew the window
 * already; an account's first request here in a minute is counted in D1 on the way, to learn the
 * window.
 */
export async function countRequest(
  d1: D1Database,
  accountId: string,
  window: number,
): Promise<{ used: Used; owed: boolean }> {
  const mine = known.get(accountId);
  if (mine?.window !== window)
    return { used: await startWindow(d1, accountId, window), owed: false };
  mine.requests++;
  return { used: { requests: mine.requests, tokens: mine.tokens }, owed: true };
}

/** Counts tokens a request of `accountId` used against the isolate's copy of its window, at once. */
export function countTokensHere(accountId: string, window: number, tokens: number): void {
  const mine = known.get(accountId);
  if (mine?.window === window) mine.tokens += tokens;
}

/** The upsert adding to an account's window, answering the window's totals. */
const windowUpsert = perBinding((d1) => {
  const placeholders = {
    accountId: sql.placeholder("accountId"),
    window: sql.placeholder("window"),
    requests: sql.placeholder("requests"),
    tokens: sql.placeholder("tokens"),
  };
  const query = database(d1)
    .insert(rateWindows)
    .values(placeholders)
    .onConflictDoUpdate({
      target: [rateWindows.accountId, rateWindows.window],
      set: {
        requests: sql`${rateWindows.requests} + excluded.requests`,
        tokens: sql`${rateWindows.tokens} + excluded.tokens`,
      },
    })
    .returning({ requests: rateWindows.requests, tokens: rateWindows.tokens });
  return statementTemplate(d1, query);
});

/**
 * Adds to an account's window in D1, as a statement for a batch (lib/ledger.ts); `learn` takes in D1's
 * totals from its result.
 */
export function windowCharge(d1: D1Database, accountId: string, window: number, add: Used) {
  return {
    statement: windowUpsert(d1)({ accountId, window, ...add }),
    learn: (result: D1Result) => {
      const [totals] = result.results as Used[];
      if (totals) learn(accountId, window, totals);
    },
  };
}

/** An account's first request this isolate sees in a minute: counted in D1, whose totals it learns. */
async function startWindow(d1: D1Database, accountId: string, window: number): Promise<Used> {
  const used = await windowCharge(d1, accountId, window, {
    requests: 1,
    tokens: 0,
  }).statement.first<Used>();
  if (!used) throw new Error("the rate window upsert returned no row");
  // An account's first request in a minute ends its earlier windows: they are of no more use.
  if (used.requests === 1) {
    await database(d1)
      .delete(rateWindows)
      .where(and(eq(rateWindows.accountId, accountId), lt(rateWindows.window, window)));
  }
  learn(accountId, window, used);
  return used;
}

/** D1's totals include other isolates' requests; ours may have moved on since it answered. */
function learn(accountId: string, window: number, totals: Used): void {
  const mine = known.get(accountId);
  if (mine?.window !== window) {
    known.set(accountId, { window, ...totals });
    return;
  }
  mine.requests = Math.max(mine.requests, totals.requests);
  mine.tokens = Math.max(mine.tokens, totals.tokens);
}
