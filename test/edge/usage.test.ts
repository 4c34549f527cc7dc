// GET /v1/usage: the caller's tokens per day and model, from the usage rows metering writes; GET
// /v1/usage/requests: the rows themselves, a page at a time.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UsageList, UsageRequestList } from "../../edge/src/api/usage.ts";
import { usage } from "../../edge/src/db/schema.ts";
import type { Caller } from "../../edge/src/env.ts";
import { database } from "../../edge/src/lib/db.ts";
import { type Metered, recordUsage } from "../../edge/src/lib/usage.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount, usageRows } from "./support.ts";

async function newCaller(): Promise<Caller & { key: string }> {
  const { accountId, id, scope, key } = await newAccount();
  return { accountId, keyId: id, scope, key };
}

/** A usage row written at a given time, as metering would have written it then. */
async function usedAt(
  caller: Caller,
  created: string,
  model: string,
  prompt: number,
  completion = 0,
) {
  await database(env.DB)
    .insert(usage)
    .values({
      requestId: crypto.randomUUID(),
      accountId: caller.accountId,
      keyId: caller.keyId,
      model,
      day: created.slice(0, 10),
      endpoint: "/v1/chat/completions",
      promptTokens: prompt,
      completionTokens: completion,
      outcome: "completed",
      createdAt: Date.parse(created),
    });
}

/** A usage row on a given day. */
function usedOn(caller: Caller, day: string, model: string, prompt: number, completion = 0) {
  return usedAt(caller, `${day}T12:00:00Z`, model, prompt, completion);
}

async function usageOf(key: string, query = ""): Promise<UsageList> {
  const response = await call(`/v1/usage${query}`, { key });
  expect(response.status).toBe(200);
  return response.json();
}

async function requestsOf(key: string, query = ""): Promise<UsageRequestList> {
  const response = await call(`/v1/usage/requests${query}`, { key });
  expect(response.status).toBe(200);
  return response.json();
}

describe("usage", () => {
  it("sums what metering recorded, per day and model, for today", async () => {
    const caller = await newCaller();
    const metered = { endpoint: "/completions", outcome: "completed", kind: "inference" } as const;
    const record = (usage: Metered) =>
      recordUsage(env.USAGE_QUEUE, crypto.randomUUID(), caller, usage);
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
    await usageRows(caller.accountId, 2);
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

  it("lists the caller's rows one per request, newest first, a page at a time", async () => {
    const caller = await newCaller();
    const stranger = await newCaller();
    const report = { cheerful: { multiplier: 1 } };
    const metered = { endpoint: "/v1/chat/completions", kind: "inference" } as const;
    const steered = crypto.randomUUID();
    await recordUsage(env.USAGE_QUEUE, steered, caller, {
      ...metered,
      model: "sm_a",
      promptTokens: 10,
      completionTokens: 5,
      outcome: "completed",
      finishReason: "length",
      steeringReport: report,
    });
    await usedAt(caller, "2025-03-01T00:00:01Z", "zeta", 1, 1);
    await usedAt(caller, "2025-03-01T00:00:02Z", "alpha", 2, 0);
    await usedAt(caller, "2025-03-01T00:00:03Z", "alpha", 3, 0);
    await usedAt(stranger, "2025-03-01T00:00:04Z", "alpha", 1000, 0);
    await usageRows(caller.accountId, 4);

    const first = await requestsOf(caller.key, "?limit=2");
    expect(first.data).toEqual([
      {
        request_id: steered,
        object: "usage.request",
        created: expect.any(Number),
        model: "sm_a",
        kind: "inference",
        endpoint: "/v1/chat/completions",
        outcome: "completed",
        finish_reason: "length",
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        steering_report: report,
      },
      expect.objectContaining({
        model: "alpha",
        total_tokens: 3,
        finish_reason: null,
        steering_report: null,
      }),
    ]);
    expect(first.data[0]?.created).toBeCloseTo(Date.now() / 1000, -2);
    expect(first).toMatchObject({ first_id: steered, has_more: true });
    expect(first.last_id).toBe(first.data[1]?.request_id);

    const second = await requestsOf(caller.key, `?limit=2&after=${first.last_id}`);
    expect(second.data.map((row) => [row.model, row.total_tokens])).toEqual([
      ["alpha", 2],
      ["zeta", 2],
    ]);
    expect(second.has_more).toBe(false);
    const rest = await requestsOf(caller.key, `?after=${second.last_id}`);
    expect(rest).toEqual({
      object: "list",
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it("refuses a bad limit, and a cursor that names no row of the caller's, naming the parameter", async () => {
    const caller = await newCaller();
    const stranger = await newCaller();
    await usedAt(stranger, "2025-03-01T00:00:01Z", "alpha", 1);
    const [theirs] = await usageRows(stranger.accountId, 1);
    for (const [query, param] of [
      ["?limit=0", "limit"],
      ["?limit=101", "limit"],
      ["?limit=ten", "limit"],
      ["?after=", "after"],
      ["?after=nothing-of-that-id", "after"],
      [`?after=${theirs?.requestId}`, "after"],
      ["?starting_after=x", "starting_after"],
    ]) {
      const response = await call(`/v1/usage/requests${query}`, { key: caller.key });
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as ApiErrorBody).error.param, query).toBe(param);
    }
  });
});
