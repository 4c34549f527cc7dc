// The ledger: what requests owe D1 after their answers (usage rows, their accounts' rate-window
// counts and tokens), sent in shared batches, each request settling once its writes are in.
import { env } from "cloudflare:workers";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rateWindows, usage } from "../../edge/src/db/schema.ts";
import type { Caller } from "../../edge/src/env.ts";
import { issueKey } from "../../edge/src/lib/accounts.ts";
import { database } from "../../edge/src/lib/db.ts";
import { MAX_REQUESTS, type Owed, owe } from "../../edge/src/lib/ledger.ts";
import { newAccount } from "./support.ts";

/** env.DB, with its batches counted (and failing, when `fail` is set). */
function countedD1(options: { fail?: boolean } = {}) {
  const batches: number[] = [];
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          batches.push(statements.length);
          if (options.fail) return Promise.reject(new Error("D1 is down"));
          return target.batch(statements);
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

function used(caller: Caller, promptTokens: number, completionTokens: number): Owed {
  const usage = {
    model: "sm_a",
    endpoint: "/v1/chat/completions",
    outcome: "completed",
    kind: "inference",
  } as const;
  return { caller, requests: 1, usage: { ...usage, promptTokens, completionTokens } };
}

/** Another key of `caller`'s account. */
async function secondKey(caller: Caller): Promise<Caller> {
  const { id } = await issueKey(database(env.DB), caller.accountId, "second", "user");
  return { ...caller, keyId: id };
}

async function windowsOf(callers: Caller[]) {
  const rows = await database(env.DB)
    .select()
    .from(rateWindows)
    .where(
      inArray(
        rateWindows.accountId,
        callers.map((c) => c.accountId),
      ),
    );
  return Object.fromEntries(rows.map((row) => [row.accountId, [row.requests, row.tokens]]));
}

describe("ledger", () => {
  it("writes what requests finishing together owe in one batch, a window upsert per account", async () => {
    const [a, b] = [await newCaller(), await newCaller()] as [Caller, Caller];
    const a2 = await secondKey(a);
    const { d1, batches } = countedD1();
    await Promise.all([
      owe(d1, used(a, 10, 5)),
      owe(d1, used(a2, 3, 2)),
      owe(d1, used(b, 7, 0)),
      // A request that used no tokens (a listing, say) owes its count only: no usage row.
      owe(d1, { caller: b, requests: 1, usage: null }),
    ]);
    // Two window upserts (one per account, its two keys' requests summed) and one insert of the
    // three usage rows.
    expect(batches).toEqual([3]);
    expect(await windowsOf([a, b])).toEqual({ [a.accountId]: [2, 20], [b.accountId]: [2, 7] });
    const rows = await database(env.DB)
      .select({ prompt: usage.promptTokens, completion: usage.completionTokens })
      .from(usage)
      .where(inArray(usage.keyId, [a.keyId, a2.keyId, b.keyId]));
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(
      expect.arrayContaining([
        { prompt: 10, completion: 5 },
        { prompt: 3, completion: 2 },
        { prompt: 7, completion: 0 },
      ]),
    );
  });

  it("starts a new batch once one is full, and writes both", async () => {
    const caller = await newCaller();
    const { d1, batches } = countedD1();
    const requests = MAX_REQUESTS + 1;
    await Promise.all(Array.from({ length: requests }, () => owe(d1, used(caller, 1, 1))));
    expect(batches).toHaveLength(2);
    expect(await windowsOf([caller])).toEqual({ [caller.accountId]: [requests, 2 * requests] });
  });

  it("owes nothing for a request with no count and no tokens", async () => {
    const caller = await newCaller();
    const { d1, batches } = countedD1();
    await owe(d1, { ...used(caller, 0, 0), requests: 0 });
    expect(batches).toEqual([]);
  });

  it("fails every request of a batch D1 refused, and the next batch starts afresh", async () => {
    const caller = await newCaller();
    const failing = countedD1({ fail: true });
    const owed = [owe(failing.d1, used(caller, 1, 0)), owe(failing.d1, used(caller, 2, 0))];
    for (const settled of await Promise.allSettled(owed)) {
      expect(settled).toMatchObject({ status: "rejected", reason: new Error("D1 is down") });
    }
    const { d1 } = countedD1();
    await owe(d1, used(caller, 4, 0));
    const rows = await database(env.DB).select().from(usage).where(eq(usage.keyId, caller.keyId));
    expect(rows.map((row) => row.promptTokens)).toEqual([4]);
  });
});
