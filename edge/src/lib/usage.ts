// Metering: one usage row per request that produced tokens, whatever became of it (finished,
// cancelled by its client, cut by a failing node). The row's id doubles as a billing identifier.
import { type Placeholder, sql } from "drizzle-orm";
import { usage } from "../db/schema.ts";
import type { Caller } from "../env.ts";
import { database } from "./db.ts";
import { newId } from "./ids.ts";
import { perBinding, statementTemplate } from "./statement-template.ts";

export interface Metered {
  /** The steerable model's id, or the base model's. */
  model: string;
  endpoint: string;
  promptTokens: number;
  completionTokens: number;
  outcome: "completed" | "cancelled" | "failed";
}

/**
 * D1 binds at most 100 parameters to a statement, and a usage row takes 9: so many rows fit one
 * insert.
 */
export const ROWS_PER_INSERT = 11;

const COLUMNS = [
  "id",
  "accountId",
  "keyId",
  "model",
  "day",
  "endpoint",
  "promptTokens",
  "completionTokens",
  "outcome",
] as const;

/** Inserts of 1 to ROWS_PER_INSERT rows, [n - 1] for n rows; row i's values are `${column}${i}`. */
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
    return statementTemplate(d1, db.insert(usage).values(rows));
  });
});

/** The rows' insert (at most ROWS_PER_INSERT of them), for a batch of the ledger's. */
export function usageInsert(
  d1: D1Database,
  rows: { caller: Caller; metered: Metered }[],
): D1PreparedStatement {
  const insert = usageInserts(d1)[rows.length - 1];
  if (!insert) throw new RangeError(`a usage insert takes 1 to ${ROWS_PER_INSERT} rows`);
  const day = new Date().toISOString().slice(0, 10);
  const values: Record<string, unknown> = {};
  rows.forEach(({ caller, metered }, i) => {
    const row = {
      id: newId("usage"),
      accountId: caller.accountId,
      keyId: caller.keyId,
      day,
      ...metered,
    };
    for (const column of COLUMNS) values[`${column}${i}`] = row[column];
  });
  return insert(values);
}
