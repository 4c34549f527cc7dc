// Bad input to the API keys' routes (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { createKeyRequestSchema } from "../../../edge/src/api/keys.ts";
import { plantedModel } from "../steered-model.ts";
import { call, newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: keys", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    // A key a valid change makes is revoked at once: the account's cap stays out of the way.
    const probe = workerProbe(key, {
      onAccepted: async (answer) => {
        const { id } = (await answer.json()) as { id?: string };
        if (id) await call(`/v1/keys/${id}`, { key, method: "DELETE" });
      },
    });
    await probe.bodies("/v1/keys", { name: "ci", scope: "user" }, createKeyRequestSchema);
    await probe.ids((id) => `/v1/keys/${id}`, "DELETE");
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});
