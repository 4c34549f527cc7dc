// The usage queue's consumer (the Worker's own queue() handler, given batches as the queue gives them): a
// batch's rows written in one D1 batch, acknowledged once written; a batch D1 refuses delivered
// again, and a row delivered twice (a batch that failed after its write, a message sent again)
// written once.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { usage } from "../../edge/src/db/schema.ts";
import type { Bindings, Caller } from "../../edge/src/env.ts";
import worker from "../../edge/src/index.ts";
import { database } from "../../edge/src/lib/db.ts";
import { ROWS_PER_INSERT, type UsageMessage } from "../../edge/src/lib/usage.ts";
import { newAccount } from "./support.ts";

/** env.DB, with its batches counted; `failures` of them refused (after writing, when `late`). */
function countedD1(failures = 0, late = false) {
  const batches: number[] = [];
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          batches.push(statements.length);
          const fail = batches.length <= failures;
          if (fail && !late) throw new Error("D1 is down");
          const results = await target.batch(statements);
          if (fail) throw new Error("the connection dropped after the write");
          return results;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1, batches };
}

async function newCaller(): Promise<Caller> {
  const { accountId, id, scope } = await newAccount();
  return { accountId, keyId: id, scope };
}

/** A message of `caller`'s request `name` (its id unique to the caller: ids are global). */
function message(caller: Caller, name: string, promptTokens: number): UsageMessage {
  return {
    requestId: `${caller.keyId}:${name}`,
    accountId: caller.accountId,
    keyId: caller.keyId,
    model: "sm_a",
    day: new Date().toISOString().slice(0, 10),
    endpoint: "/v1/chat/completions",
    promptTokens,
    completionTokens: 1,
    outcome: "completed",
    kind: "inference",
    steeringReport: null,
    createdAt: Date.now(),
  };
}

/** Delivers the messages to the Worker's queue() handler, on `d1`; says what it acked. */
async function deliver(bodies: UsageMessage[], d1: D1Database) {
  const batch = createMessageBatch<UsageMessage>(
    "steer-usage",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, DB: d1 } as Bindings);
  return getQueueResult(batch, ctx);
}

async function rowsOf(caller: Caller) {
  const rows = await database(env.DB)
    .select({ requestId: usage.requestId, promptTokens: usage.promptTokens })
    .from(usage)
    .where(eq(usage.accountId, caller.accountId));
  return rows
    .map((row) => ({ ...row, requestId: row.requestId.slice(caller.keyId.length + 1) }))
    .sort((a, b) => a.requestId.localeCompare(b.requestId));
}

describe("the usage queue's consumer", () => {
  it("writes a batch's rows in one D1 batch, a multi-row insert per ROWS_PER_INSERT, and acks them", async () => {
    const caller = await newCaller();
    const { d1, batches } = countedD1();
    const bodies = Array.from({ length: ROWS_PER_INSERT + 1 }, (_, i) =>
      message(caller, `r${String(i).padStart(2, "0")}`, i + 1),
    );
    const result = await deliver(bodies, d1);
    expect(result).toMatchObject({ explicitAcks: [], retryBatch: { retry: false } });
    expect(result.ackAll).toBe(true);
    expect(batches).toEqual([2]);
    expect(await rowsOf(caller)).toHaveLength(ROWS_PER_INSERT + 1);
  });

  it("has a batch D1 refused delivered again, and its redelivery writes each row once", async () => {
    const caller = await newCaller();
    const bodies = [message(caller, "a", 1), message(caller, "b", 2)];
    const down = countedD1(1);
    expect(await deliver(bodies, down.d1)).toMatchObject({
      ackAll: false,
      retryBatch: { retry: true },
    });
    expect(await rowsOf(caller)).toEqual([]);
    expect(await deliver(bodies, countedD1().d1)).toMatchObject({ ackAll: true });
    expect(await rowsOf(caller)).toEqual([
      { requestId: "a", promptTokens: 1 },
      { requestId: "b", promptTokens: 2 },
    ]);
  });

  it("bills once a batch that failed after its write and came again, and a message sent twice", async () => {
    const caller = await newCaller();
    const bodies = [message(caller, "a", 1), message(caller, "b", 2)];
    const dropped = countedD1(1, true);
    expect(await deliver(bodies, dropped.d1)).toMatchObject({ retryBatch: { retry: true } });
    // Written all the same: the redelivery, with a duplicate of "b" beside a new row, adds "c" only.
    const again = [...bodies, message(caller, "b", 2), message(caller, "c", 3)];
    expect(await deliver(again, countedD1().d1)).toMatchObject({ ackAll: true });
    expect(await rowsOf(caller)).toEqual([
      { requestId: "a", promptTokens: 1 },
      { requestId: "b", promptTokens: 2 },
      { requestId: "c", promptTokens: 3 },
    ]);
  });
});
