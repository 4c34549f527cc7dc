// The writes a request owes D1 once it is answered: its usage row (when it produced tokens) and
// its count and tokens in its account's rate window. They are not sent a request at a time: the
// requests an isolate finishes within LINGER_MS of each other share one D1 batch, with one
// rate-window upsert per account and minute, summed, and their usage rows in multi-row inserts. D1 is
// a single SQLite database that every isolate writes to, so a round trip per request would tie
// the API's throughput to D1's; batched, a busy isolate sends a few batches where it answered
// dozens of requests. Whoever owes waits (under waitUntil) until the batch carrying its writes is
// in, so nothing owed is lost when a client leaves, and a failed batch is reported to every
// request in it.
import type { Caller } from "../env.ts";
import { countTokensHere, currentWindow, windowCharge } from "./rate-windows.ts";
import { type Metered, ROWS_PER_INSERT, usageInsert } from "./usage.ts";

/** How long a batch's first request waits for others to join it. */
const LINGER_MS = 50;
/**
 * Requests per batch: at most one upsert each (one per account, in fact) and a twelfth of an insert;
 * D1 counts every statement of a batch against its Worker invocation's query limit (50 on the
 * free plan).
 */
export const MAX_REQUESTS = 16;

/** What one request owes. */
export interface Owed {
  caller: Caller;
  /** 1 when the request was counted by the isolate only, so far (rate-limit.ts); else 0. */
  requests: number;
  /** What it produced, when it ran a model; a row is written only when it used tokens. */
  usage: Metered | null;
}

interface Entry extends Owed {
  window: number;
}

class Batch {
  readonly entries: Entry[] = [];
  readonly written: Promise<void>;

  constructor(d1: D1Database) {
    this.written = new Promise((resolve) => setTimeout(resolve, LINGER_MS)).then(() => {
      if (open.get(d1) === this) open.delete(d1);
      return write(d1, this.entries);
    });
  }
}

/** The batch each database is gathering, until it is sent or full. */
const open = new WeakMap<D1Database, Batch>();

/** Adds what a request owes to the next batch; settles once that batch is written. */
export function owe(d1: D1Database, owed: Owed): Promise<void> {
  const tokens = tokensOf(owed);
  if (owed.requests === 0 && tokens === 0) return Promise.resolve();
  const window = currentWindow();
  // The isolate's own count moves now, so the account's next request is limited by these tokens.
  countTokensHere(owed.caller.accountId, window, tokens);
  let batch = open.get(d1);
  if (!batch) {
    batch = new Batch(d1);
    open.set(d1, batch);
  }
  batch.entries.push({ ...owed, window });
  if (batch.entries.length >= MAX_REQUESTS) open.delete(d1);
  return batch.written;
}

async function write(d1: D1Database, entries: Entry[]): Promise<void> {
  const charges = [...sumPerWindow(entries)].map(({ accountId, window, requests, tokens }) =>
    windowCharge(d1, accountId, window, { requests, tokens }),
  );
  const rows = entries.flatMap(({ caller, usage }) =>
    usage && usage.promptTokens + usage.completionTokens > 0 ? [{ caller, metered: usage }] : [],
  );
  const inserts = chunks(rows, ROWS_PER_INSERT).map((chunk) => usageInsert(d1, chunk));
  const statements = [...charges.map((charge) => charge.statement), ...inserts];
  if (statements.length === 0) return;
  const results = await d1.batch(statements);
  // The window upserts come first, so their results are the first ones.
  for (const [i, charge] of charges.entries()) {
    const result = results[i];
    if (result) charge.learn(result);
  }
}

/** The entries' requests and tokens, summed per account and window. */
function sumPerWindow(entries: Entry[]) {
  const sums = new Map<
    string,
    { accountId: string; window: number; requests: number; tokens: number }
  >();
  for (const entry of entries) {
    const { accountId } = entry.caller;
    const key = `${accountId}/${entry.window}`;
    const sum = sums.get(key) ?? { accountId, window: entry.window, requests: 0, tokens: 0 };
    sum.requests += entry.requests;
    sum.tokens += tokensOf(entry);
    sums.set(key, sum);
  }
  return sums.values();
}

function tokensOf({ usage }: Owed): number {
  return usage ? usage.promptTokens + usage.completionTokens : 0;
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}
