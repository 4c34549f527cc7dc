// GET /v1/usage: the caller's tokens per day and model, from the usage rows metering writes.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UsageList } from "../../edge/src/api/usage.ts";
import { usage } from "../../edge/src/db/schema.ts";
import type { Caller } from "../../edge/src/env.ts";
import { database } from "../../edge/src/lib/db.ts";
import { owe } from "../../edge/src/lib/ledger.ts";
import type { Metered } from "../../edge/src/lib/usage.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount } from "./support.ts";

async function newCaller(): Promise<Caller & { key: string }> {
  const { accountId, id, scope, key } = await newAccount();
  return { accountId, keyId: id, scope, key };
}

/** A usage row on a given day, as metering would have written it that day. */
async function usedOn(caller: Caller, day: string, model: string, prompt: number, completion = 0) {
  await database(env.DB).insert(usage).values({
    id: crypto.randomUUID(),
    accountId: caller.accountId,
    keyId: caller.keyId,
    model,
    day,
    endpoint: "/v1/chat/completions",
    promptTokens: prompt,
    completionTokens: completion,
    outcome: "completed",
  });
}

async function usageOf(key: string, query = ""): Promise<UsageList> {
  const response = await call(`/v1/usage${query}`, { key });
  expect(response.status).toBe(200);
  return response.json();
}

describe("usage", () => {
  it("sums what metering recorded, per day and model, for today", async () => {
    const caller = await newCaller();
    const metered = { endpoint: "/completions", outcome: "completed", kind: "inference" } as const;
    const record = (usage: Metered) => owe(env.DB, { caller, requests: 0, usage });
    await record({
      ...metered,
      model: "sm_a",
      promptTokens: 10,
      completionTokens: 5,
    });
    await record({
      ...metered,
      model: "sm_a",
      promptTokens: 7,
      completionTokens: 3,
      outcome: "cancelled",
    });
    // No tokens, no row.
    await record({
      ...metered,
      model: "sm_a",
      promptTokens: 0,
      completionTokens: 0,
    });
    const today = new Date().toISOString().slice(0, 10);
    expect(await usageOf(caller.key)).toEqual({
      object: "list",
      data: [
        {
          day: today,
          model: "sm_a",
          kind: "inference",
          requests: 2,
          prompt_tokens: 17,
          completion_tokens: 8,
          total_tokens: 25,
        },
      ],
    });
  });

  it("orders by day then model, filters by days (inclusive) and model, and shows only the caller's", async () => {
    const caller = await newCaller();
    const stranger = await newCaller();
    await usedOn(caller, "2025-03-02", "zeta", 1, 1);
    await usedOn(caller, "2025-03-02", "alpha", 2, 2);
    await usedOn(caller, "2025-03-01", "zeta", 4, 0);
    await usedOn(caller, "2025-03-03", "alpha", 8, 0);
    await usedOn(stranger, "2025-03-02", "alpha", 1000, 1000);

    const rows = (await usageOf(caller.key)).data;
    expect(rows.map((row) => [row.day, row.model, row.total_tokens])).toEqual([
      ["2025-03-01", "zeta", 4],
      ["2025-03-02", "alpha", 4],
      ["2025-03-02", "zeta", 2],
      ["2025-03-03", "alpha", 8],
    ]);
    const days = (await usageOf(caller.key, "?start=2025-03-02&end=2025-03-02")).data;
    expect(days.map((row) => row.model)).toEqual(["alpha", "zeta"]);
    const since = (await usageOf(caller.key, "?start=2025-03-02&model=alpha")).data;
    expect(since.map((row) => row.day)).toEqual(["2025-03-02", "2025-03-03"]);
    const until = (await usageOf(caller.key, "?end=2025-03-01")).data;
    expect(until.map((row) => row.day)).toEqual(["2025-03-01"]);
  });

  it("refuses malformed days and a range that ends before it starts, naming the parameter", async () => {
    const caller = await newCaller();
    for (const [query, param] of [
      ["?start=2025-3-1", "start"],
      ["?end=2025-02-30", "end"],
      ["?start=2025-03-02&end=2025-03-01", "start"],
    ]) {
      const response = await call(`/v1/usage${query}`, { key: caller.key });
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as ApiErrorBody).error.param, query).toBe(param);
    }
  });
});
