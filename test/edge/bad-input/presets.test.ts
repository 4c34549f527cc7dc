// Bad input to the preset marketplace: publish, install, take off (probe.ts says what each answer
// must be).
import { describe, it } from "vitest";
import { installPresetSchema, publishPresetSchema } from "../../../edge/src/api/presets.ts";
import { BASE_MODEL, plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: presets", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const probe = workerProbe(key);
    const publish = { model_id: id, name: "bad-input", description: "a test preset" };
    await probe.bodies("/v1/presets", publish, publishPresetSchema);
    const install = { base_model: BASE_MODEL };
    await probe.bodies("/v1/presets/cheerful/install", install, installPresetSchema);
    await probe.ids((name) => `/v1/presets/${name}/install`, "POST", "name");
    await probe.ids((name) => `/v1/presets/${name}`, "DELETE", "name");
    probe.expectAllAnswered();
    await expectServing(key, id);
  });
});
