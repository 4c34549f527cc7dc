// Bad input to GET /v1/usage and GET /v1/usage/requests: odd queries, dates, page sizes and
// cursors (probe.ts says what each answer must be).
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { usage } from "../../../edge/src/db/schema.ts";
import { database } from "../../../edge/src/lib/db.ts";
import { BASE_MODEL, plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

const NOT_DAYS = [
  "2026-13-01",
  "2026-02-30",
  "2026-04-31",
  "26-01-01",
  "2026-1-1",
  "2026/01/01",
  "tomorrow",
  "2026-01-01T00:00",
];

describe("bad input: usage", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const probe = workerProbe(key);
    await probe.queries("/v1/usage", { start: "2026-01-01", end: "2026-12-31", model: BASE_MODEL });
    for (const day of [...NOT_DAYS, ...NOT_DAYS.map(encodeURIComponent), "", "%00"]) {
      for (const field of ["start", "end"]) {
        const expectation = { name: `${field}=${day}`, field, expect: "refused" } as const;
        await probe.check(`/v1/usage?${field}=${day}`, { method: "GET" }, expectation);
      }
    }
    const backwards = { name: "start after end", field: "start", expect: "refused" } as const;
    await probe.check("/v1/usage?start=2026-02-01&end=2026-01-01", { method: "GET" }, backwards);

    const { id: cursor } = await usageRow(accountId);
    await probe.queries("/v1/usage/requests", { limit: "5", after: cursor });
    for (const limit of ["0", "101", "-1", "1.5", "ten", "", "1e999"]) {
      const expectation = { name: `limit=${limit}`, field: "limit", expect: "refused" } as const;
      await probe.check(`/v1/usage/requests?limit=${limit}`, { method: "GET" }, expectation);
    }
    for (const after of ["", "nobody", "%00", encodeURIComponent("x".repeat(10_000))]) {
      const expectation = {
        name: `after=${after.slice(0, 20)}`,
        field: "after",
        expect: "refused",
      } as const;
      await probe.check(`/v1/usage/requests?after=${after}`, { method: "GET" }, expectation);
    }
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});

/** A usage row of the account's, whose request id is a valid cursor. */
async function usageRow(accountId: string) {
  const id = crypto.randomUUID();
  await database(env.DB).insert(usage).values({
    requestId: id,
    accountId,
    keyId: "k",
    model: BASE_MODEL,
    day: "2026-01-01",
    endpoint: "/v1/chat/completions",
    promptTokens: 1,
    completionTokens: 1,
    outcome: "completed",
  });
  return { id };
}
