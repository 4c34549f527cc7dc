// Bad input to the original POST /completions (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { steeredCompletionRequestSchema } from "../../../edge/src/api/completions.ts";
import { plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: the original /completions", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const probe = workerProbe(key);
    const valid = {
      model: id,
      prompt: "Hi",
      control_settings: { cheerful: 0.5 },
      settings: { max_new_tokens: 2, do_sample: false },
    };
    await probe.bodies("/completions", valid, steeredCompletionRequestSchema);
    probe.expectAllAnswered();
    await expectServing(key, id);
  });
});
