// Bad input to GET /v1/usage: odd queries and dates (probe.ts says what each answer must be).
import { describe, it } from "vitest";
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
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});
