// Bad input to POST /v1/chat/completions (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { chatCompletionRequestSchema } from "../../../edge/src/api/chat.ts";
import { addCalibratedTopic, plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: chat completions", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    await addCalibratedTopic(id);
    const probe = workerProbe(key);
    const valid = {
      model: id,
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 2,
      // A conditional term and a route, each of their fields varied (a plain term among them).
      steering: {
        cheerful: { multiplier: 0.5, when: { trait: "topic", above: 0.1, layer: 2 } },
        route: ["topic"],
      },
    };
    await probe.bodies("/v1/chat/completions", valid, chatCompletionRequestSchema);
    probe.expectAllAnswered();
    await expectServing(key, id);
  });
});
