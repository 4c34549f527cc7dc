// Bad input to the operator's POST /v1/accounts: bodies, and credentials that are not the
// operator token (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { createAccountRequestSchema } from "../../../edge/src/api/accounts.ts";
import { MAX_JSON_BODY_BYTES } from "../../../shared/limits.ts";
import { bodyCases, credentialCases, fieldCases } from "../../support/bad-input.ts";
import { OPERATOR_TOKEN } from "../operator-token.ts";
import { plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: the operator's accounts", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const probe = workerProbe(OPERATOR_TOKEN);
    const valid = { name: "acme" };
    for (const badCase of [
      ...fieldCases(valid, createAccountRequestSchema),
      ...bodyCases(valid, MAX_JSON_BODY_BYTES),
    ]) {
      const sent = { body: badCase.body, contentType: badCase.contentType };
      await probe.check("/v1/accounts", sent, badCase);
    }
    const credentials = [
      ...credentialCases(OPERATOR_TOKEN),
      { name: "an API key", authorization: `Bearer ${key}` },
    ];
    for (const { name, authorization } of credentials) {
      const sent = { body: JSON.stringify(valid), contentType: "application/json", authorization };
      await probe.check("/v1/accounts", sent, { name, field: "authorization", expect: "refused" });
    }
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});
