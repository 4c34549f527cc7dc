// Bad input to the steerable-model routes: create, read, status, list, delete, under both paths
// (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { createSteerableModelSchema } from "../../../edge/src/api/steerable-models.ts";
import { plantedModel } from "../steered-model.ts";
import { call, newAccount } from "../support.ts";
import { QUICK_MODEL } from "../training-support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: steerable models", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const other = await plantedModel((await newAccount()).accountId);
    const probe = workerProbe(key, {
      // A change that leaves a valid model makes one: deleted at once, so that its training does
      // not keep the GPU node busy for the cases after it.
      onAccepted: async (answer, token) => {
        const { id } = (await answer.json()) as { id?: string };
        if (id) await call(`/v1/steerable-models/${id}`, { key: token, method: "DELETE" });
      },
      // More requests than one account may make in a minute; none names the first's models.
      renewToken: async () => (await newAccount()).key,
    });
    // A trait of examples, and one described (whose pairs a generator would write).
    const dimensions = {
      ...QUICK_MODEL.control_dimensions,
      pirate: { description: "speaks like a pirate", pairs: 1 },
    };
    const valid = {
      ...QUICK_MODEL,
      control_dimensions: dimensions,
      template: "Act as a {persona} person.",
      layers: [1, 2],
    };
    await probe.bodies("/v1/steerable-models", valid, createSteerableModelSchema);
    await probe.ids((id) => `/v1/steerable-models/${id}`);
    await probe.ids((id) => `/v1/steerable-models/${id}/status`);
    await probe.ids((id) => `/steerable-model/${id}`);
    await probe.ids((id) => `/v1/steerable-models/${id}`, "DELETE");
    await probe.queries("/v1/steerable-models", { limit: "5", offset: "0" });
    // Another account's model is as unknown as a made-up one, whatever is asked of it.
    for (const path of [
      `/v1/steerable-models/${other.id}`,
      `/steerable-model/${other.id}/status`,
    ]) {
      const expectation = { name: "another account's", field: "id", expect: "refused" } as const;
      await probe.check(path, { method: "GET" }, expectation);
    }
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});
