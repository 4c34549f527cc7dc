// Bad input to the original POST /completions (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { steeredCompletionRequestSchema } from "../../../edge/src/api/completions.ts";
import { addCalibratedTopic, plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: the original /completions", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    await addCalibratedTopic(id);
    const probe = workerProbe(key);
    const valid = {
      model: id,
      prompt: "Hi",
      // A conditional term and a route, each of their fields varied (a plain term among them).
      control_settings: {
        cheerful: { multiplier: 0.5, when: { trait: "topic", above: 0.1, layer: 2 } },
        route: ["topic"],
      },
      settings: { max_new_tokens: 2, do_sample: false },
    };
    await probe.bodies("/completions", valid, steeredCompletionRequestSchema);
    probe.expectAllAnswered();
    await expectServing(key, id);
  });
});
