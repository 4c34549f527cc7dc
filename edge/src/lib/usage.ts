// Metering: one usage row per request that produced tokens, whatever became of it (finished,
// cancelled by its client, cut by a failing node). The row's id doubles as a billing identifier.
import { usage } from "../db/schema.ts";
import type { Caller } from "../env.ts";
import type { Db } from "./db.ts";
import { newId } from "./ids.ts";

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

/** The rows' insert (at most ROWS_PER_INSERT of them), for a batch of the ledger's. */
export function usageInsert(db: Db, rows: { caller: Caller; metered: Metered }[]) {
  const day = new Date().toISOString().slice(0, 10);
  return db.insert(usage).values(
    rows.map(({ caller, metered }) => ({
      id: newId("usage"),
      accountId: caller.accountId,
      keyId: caller.keyId,
      day,
      ...metered,
    })),
  );
}
