// Credentials that are not a valid API key, on every kind of route: each a 401 (probe.ts says
// what each answer must be).
import { describe, it } from "vitest";
import { credentialCases } from "../../support/bad-input.ts";
import { plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: credentials", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is a 401 on every route, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const probe = workerProbe(key);
    const routes = ["/", "/v1/models", "/v1/usage", "/v1/keys", "/v1/presets"];
    for (const path of [...routes, `/v1/steerable-models/${id}`, "/steerable-model"]) {
      for (const { name, authorization } of credentialCases(key)) {
        const expectation = { name, field: "authorization", expect: "refused" } as const;
        await probe.check(path, { method: "GET", authorization }, expectation);
      }
    }
    probe.expectAllAnswered();
    await expectServing(key, id);
  });
});
