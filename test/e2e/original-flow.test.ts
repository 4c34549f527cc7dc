// The product's original flow on the whole local stack: create a steerable model from examples,
// poll it to ready, complete with control_settings (metered), delete it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/index.ts";
import type { SteeredCompletion } from "../../shared/api/steerable-models.ts";
import { countWords } from "../support/planted.ts";
import { type Stack, startStack } from "./stack.ts";
import { createCheerful, meteredTokens, TRAIN_TIMEOUT_MS, untilTrained } from "./steerable.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("the original endpoints", () => {
  it("create, poll to ready, complete with control_settings, delete", {
    timeout: TRAIN_TIMEOUT_MS + 60_000,
  }, async () => {
    const created = await createCheerful(stack, "/steerable-model");
    expect(created).toMatchObject({ object: "steerable_model", model: "steer-test" });
    expect(["pending", "training"]).toContain(created.status);
    expect(Object.keys(created.control_dimensions)).toEqual(["cheerful"]);

    const model = await untilTrained(stack, `/steerable-model/${created.id}`);
    expect(model.status, model.failure_reason ?? "").toBe("ready");
    const list = (await (await stack.call("/steerable-model?limit=100")).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((m) => m.id)).toContain(created.id);

    const complete = async (cheerful: number) => {
      const response = await stack.call("/completions", {
        method: "POST",
        body: JSON.stringify({
          model: created.id,
          prompt: "Tell me about your day.",
          control_settings: { cheerful },
          settings: { max_new_tokens: 12, repetition_penalty: 3 },
        }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as SteeredCompletion;
    };
    const before = await meteredTokens(stack, created.id);
    const happy = await complete(1.5);
    const gloomy = await complete(-1.5);
    expect(happy).toMatchObject({ model_id: created.id, object: "text_completion" });
    expect(countWords(happy.content, CONCEPT_WORDS.positive)).toBeGreaterThan(
      countWords(happy.content, CONCEPT_WORDS.negative),
    );
    expect(countWords(gloomy.content, CONCEPT_WORDS.negative)).toBeGreaterThan(
      countWords(gloomy.content, CONCEPT_WORDS.positive),
    );
    const after = await meteredTokens(stack, created.id, before.requests + 2);
    expect(after.prompt - before.prompt).toBe(
      happy.usage.prompt_tokens + gloomy.usage.prompt_tokens,
    );
    expect(after.completion - before.completion).toBe(
      happy.usage.completion_tokens + gloomy.usage.completion_tokens,
    );

    const deleted = await stack.call(`/steerable-model/${created.id}`, { method: "DELETE" });
    expect(await deleted.json()).toEqual({
      id: created.id,
      object: "steerable_model",
      deleted: true,
    });
    expect((await stack.call(`/steerable-model/${created.id}`)).status).toBe(404);
  });
});
