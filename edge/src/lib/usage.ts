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

export async function recordUsage(db: Db, caller: Caller, metered: Metered): Promise<void> {
  if (metered.promptTokens + metered.completionTokens > 0) await usageInsert(db, caller, metered);
}

/** The row's insert, for a caller that sends it in a batch with other writes. */
export function usageInsert(db: Db, caller: Caller, metered: Metered) {
  return db.insert(usage).values({
    id: newId("usage"),
    accountId: caller.accountId,
    keyId: caller.keyId,
    day: new Date().toISOString().slice(0, 10),
    ...metered,
  });
}
