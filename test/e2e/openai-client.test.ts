// The official openai client against the edge, unchanged but for its baseURL and key: a steered
// chat completion whole and streamed, each metered; and the errors a client meets (401, 404, 429),
// another account's model among them.
import OpenAI from "openai";
import type { ChatCompletionCreateParams } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import type { UsageList } from "../../edge/src/api/usage.ts";
import {
  createAccount,
  meteredRequest,
  meteredTokens,
  openAiClient,
  stackWithCheerful,
} from "./steerable.ts";

const setup = stackWithCheerful();

/** A request to `target`; `steering` is Steer's extension, sent as an extra body field. */
function chat(target: string, steering: Record<string, number> = {}) {
  return {
    model: target,
    messages: [{ role: "user" as const, content: "Tell me about your day." }],
    max_tokens: 8,
    steering,
  } satisfies ChatCompletionCreateParams & { steering: Record<string, number> };
}

const steered = (cheerful: number) => chat(setup.model.id, { cheerful });

describe("the openai client", () => {
  it("completes a steered chat, and the usage is metered", async () => {
    const before = await meteredTokens(setup.stack, setup.model.id);
    const completion = await setup.client.chat.completions.create(steered(1));
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const after = await meteredTokens(setup.stack, setup.model.id, before.requests + 1);
    expect(after.prompt - before.prompt).toBe(completion.usage?.prompt_tokens);
    expect(after.completion - before.completion).toBe(completion.usage?.completion_tokens);
  });

  it("streams a steered chat, and the usage is metered", async () => {
    const before = await meteredTokens(setup.stack, setup.model.id);
    const stream = await setup.client.chat.completions.create({
      ...steered(-1),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBeTruthy();
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const after = await meteredTokens(setup.stack, setup.model.id, before.requests + 1);
    expect(after.prompt - before.prompt).toBe(usage?.prompt_tokens);
    expect(after.completion - before.completion).toBe(usage?.completion_tokens);
  });

  it("answers steered unlike the base model", async () => {
    const [plain, cheerful] = await Promise.all([
      setup.client.chat.completions.create(chat(setup.model.model)),
      setup.client.chat.completions.create(steered(2)),
    ]);
    expect(cheerful.choices[0]?.message.content).not.toBe(plain.choices[0]?.message.content);
  });
});

describe("errors", () => {
  it("401 for an unknown key", async () => {
    const stranger = openAiClient(setup.stack, "sk-steer-not-a-key");
    await expect(stranger.chat.completions.create(steered(1))).rejects.toMatchObject({
      status: 401,
    });
  });

  it("404 for a model the caller does not have", async () => {
    await expect(
      setup.client.chat.completions.create({ ...steered(1), model: "sm_does_not_exist" }),
    ).rejects.toMatchObject({ status: 404 });
    expect((await setup.stack.call("/v1/steerable-models/sm_does_not_exist")).status).toBe(404);
  });

  it("404 for another account's model: a second account, made by the operator, sees none of it", async () => {
    const second = await createAccount(setup.stack, "second customer");
    const stranger = openAiClient(setup.stack, second.key.key);
    await expect(stranger.chat.completions.create(steered(1))).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const got = await setup.stack.call(`/v1/steerable-models/${setup.model.id}`, {
      key: second.key.key,
    });
    expect(got.status).toBe(404);

    // The first account's key still works, and what it uses is metered to it alone.
    const { data: completion, response } = await setup.client.chat.completions
      .create(steered(1))
      .withResponse();
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const requestId = response.headers.get("x-request-id") ?? "";
    expect(await meteredRequest(setup.stack, requestId)).toMatchObject({
      model: setup.model.id,
      prompt_tokens: completion.usage?.prompt_tokens,
      completion_tokens: completion.usage?.completion_tokens,
      outcome: "completed",
      finish_reason: completion.choices[0]?.finish_reason,
    });
    const usage = await setup.stack.call("/v1/usage", { key: second.key.key });
    expect(usage.status).toBe(200);
    expect(((await usage.json()) as UsageList).data).toEqual([]);
  });

  it("429 with Retry-After once an account passes its requests per minute", async () => {
    // An account of its own, so the other tests keep their budget: its keys would share it.
    const { key } = (await createAccount(setup.stack, "rate limited")).key;
    // Bursts of requests until one is refused (the default limit is 600 a minute). Enough bursts
    // for twice the limit: a minute may turn while they go, starting the count again.
    let limited: Response | undefined;
    for (let burst = 0; burst < 60 && !limited; burst += 1) {
      const responses = await Promise.all(
        Array.from({ length: 25 }, () => setup.stack.call("/v1/steerable-models", { key })),
      );
      expect(responses.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      limited = responses.find((r) => r.status === 429);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
