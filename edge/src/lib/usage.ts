// Metering: one usage row per request that produced tokens, whatever became of it (finished,
// cancelled by its client, cut by a failing node), one per evaluation that succeeded, and one per
// described trait whose persona pairs were generated (its kind says which). A row is not written
// where it is made: it goes to the usage queue (wrangler.toml), whose consumer (the Worker's
// queue() handler) writes each batch of rows to D1. The queue keeps a message until a consumer has
// written it, so a row outlives the isolate that made it; and a row is keyed by what it meters (the
// request's id, the evaluation's, the model's and trait's), written with ON CONFLICT DO NOTHING,
// so a message delivered twice, or a row sent again by a second pass over the same job, is billed once.
import { type Placeholder, sql } from "drizzle-orm";
import type { SteeringReport } from "../../../shared/steering/conditions.ts";
import { type UsageKind, usage } from "../db/schema.ts";
import type { Caller } from "../env.ts";
import { database } from "./db.ts";
import { perBinding, statementTemplate } from "./statement-template.ts";

export interface Metered {
  /** The steerable model's id, or the base model's. */
  model: string;
  endpoint: string;
  promptTokens: number;
  completionTokens: number;
  outcome: "completed" | "cancelled" | "failed";
  /** How an answer ended, as its last chunk said: none for one cut short, or not an answer. */
  finishReason?: "stop" | "length" | null;
  kind: UsageKind;
  /** What a steered request's steering applied, as its answer reported it. */
  steeringReport?: SteeringReport | null;
}

/** Whose tokens they are: the account, and the key that asked. */
export type Payer = Pick<Caller, "accountId" | "keyId">;

/** A usage queue message: one row. */
export type UsageMessage = typeof usage.$inferInsert;

/** The usage queue (wrangler.toml's USAGE_QUEUE), as its producers see it. */
export type UsageQueue = Queue<UsageMessage>;

/**
 * Sends the row of what `requestId` used to the usage queue; resolves once the queue holds it. A
 * request that used no tokens has none.
 */
export async function recordUsage(
  queue: UsageQueue,
  requestId: string,
  payer: Payer,
  metered: Metered,
): Promise<void> {
  if (metered.promptTokens + metered.completionTokens === 0) return;
  const now = Date.now();
  await queue.send({
    requestId,
    accountId: payer.accountId,
    keyId: payer.keyId,
    day: new Date(now).toISOString().slice(0, 10),
    createdAt: now,
    ...metered,
    finishReason: metered.finishReason ?? null,
    steeringReport: metered.steeringReport ?? null,
  });
}

/** The columns a message fills, each bound by name. */
const COLUMNS = [
  "requestId",
  "accountId",
  "keyId",
  "model",
  "day",
  "endpoint",
  "promptTokens",
  "completionTokens",
  "outcome",
  "finishReason",
  "kind",
  "steeringReport",
  "createdAt",
] as const;

/** D1 binds at most 100 parameters to a statement: so many rows fit one insert. */
export const ROWS_PER_INSERT = Math.floor(100 / COLUMNS.length);

/**
 * Inserts of 1 to ROWS_PER_INSERT rows, [n - 1] for n rows; row i's values are `${column}${i}`; a
 * row already written is left as it is.
 */
const usageInserts = perBinding((d1) => {
  const db = database(d1);
  return Array.from({ length: ROWS_PER_INSERT }, (_, n) => {
    const rows = Array.from(
      { length: n + 1 },
      (_, i) =>
        Object.fromEntries(
          COLUMNS.map((column) => [column, sql.placeholder(`${column}${i}`)]),
        ) as Record<(typeof COLUMNS)[number], Placeholder>,
    );
    return statementTemplate(d1, db.insert(usage).values(rows).onConflictDoNothing());
  });
});

/** Writes the messages' rows in one D1 batch: each only once, however often it came. */
export async function writeUsage(d1: D1Database, messages: UsageMessage[]): Promise<void> {
  const inserts = chunks(messages, ROWS_PER_INSERT).map((rows) => usageInsert(d1, rows));
  if (inserts.length > 0) await d1.batch(inserts);
}

function usageInsert(d1: D1Database, rows: UsageMessage[]): D1PreparedStatement {
  const insert = usageInserts(d1)[rows.length - 1];
  if (!insert) throw new RangeError(`a usage insert takes 1 to ${ROWS_PER_INSERT} rows`);
  const values: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const column of COLUMNS) values[`${column}${i}`] = row[column] ?? null;
    // A template binds values as they are: the JSON column's text, as drizzle would write it.
    values[`steeringReport${i}`] = row.steeringReport ? JSON.stringify(row.steeringReport) : null;
  });
  return insert(values);
}

/**
 * The usage queue's consumer: a batch's rows are written together, and acknowledged once D1 has
 * them; a batch D1 refuses is delivered again (wrangler.toml's max_retries), rows it may have
 * written already included, which the key makes harmless.
 */
export async function consumeUsage(
  batch: MessageBatch<UsageMessage>,
  d1: D1Database,
): Promise<void> {
  try {
    await writeUsage(
      d1,
      batch.messages.map((message) => message.body),
    );
    batch.ackAll();
  } catch (error) {
    console.error("usage batch not written; it will be delivered again", error);
    batch.retryAll();
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}
