// Metering: one usage row per request that produced tokens, whatever became of it (finished,
// cancelled by its client, cut by a failing node), one per evaluation that succeeded, and one per
// described trait whose persona pairs were generated (its kind says which). The row's id doubles as a billing identifier.
import { type Placeholder, sql } from "drizzle-orm";
import type { SteeringReport } from "../../../shared/steering/conditions.ts";
import { type UsageKind, usage } from "../db/schema.ts";
import type { Caller } from "../env.ts";
import { type Db, database } from "./db.ts";
import { newId } from "./ids.ts";
import { perBinding, statementTemplate } from "./statement-template.ts";

export interface Metered {
  /** The steerable model's id, or the base model's. */
  model: string;
  endpoint: string;
  promptTokens: number;
  completionTokens: number;
  outcome: "completed" | "cancelled" | "failed";
  kind: UsageKind;
  /** What a steered request's steering applied, as its answer reported it. */
  steeringReport?: SteeringReport | null;
}

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
  "kind",
  "steeringReport",
] as const;

/** D1 binds at most 100 parameters to a statement: so many rows fit one insert. */
export const ROWS_PER_INSERT = Math.floor(100 / COLUMNS.length);

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
  rows: { caller: Payer; metered: Metered }[],
): D1PreparedStatement {
  const insert = usageInserts(d1)[rows.length - 1];
  if (!insert) throw new RangeError(`a usage insert takes 1 to ${ROWS_PER_INSERT} rows`);
  const values: Record<string, unknown> = {};
  rows.forEach(({ caller, metered }, i) => {
    const row = usageRow(caller, metered);
    for (const column of COLUMNS) values[`${column}${i}`] = row[column];
    // A template binds values as they are: the JSON column's text, as drizzle would write it.
    values[`steeringReport${i}`] = row.steeringReport ? JSON.stringify(row.steeringReport) : null;
  });
  return insert(values);
}

/**
 * Writes one row at once: what an evaluation or a generation used (the ledger batches requests'
 * rows).
 */
export async function insertUsage(db: Db, caller: Payer, metered: Metered): Promise<void> {
  await db.insert(usage).values(usageRow(caller, metered));
}

/** Whose tokens they are: the account, and the key that asked. */
type Payer = Pick<Caller, "accountId" | "keyId">;

function usageRow(caller: Payer, metered: Metered) {
  return {
    id: newId("usage"),
    accountId: caller.accountId,
    keyId: caller.keyId,
    day: new Date().toISOString().slice(0, 10),
    ...metered,
    steeringReport: metered.steeringReport ?? null,
  };
}
