// Generation as a caller sees it: streaming, limits, sampling, stop sequences, cancellation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { GenerationEvent } from "../../gpu-node/engine/generation.ts";
import { loadTestEngine, randomControlVector, strongNorm } from "../support/engine.ts";

let engine: Engine;
beforeAll(async () => {
  engine = await loadTestEngine();
});
afterAll(() => engine.close());

async function collect(events: AsyncIterable<GenerationEvent>) {
  const all: GenerationEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe("generate", () => {
  it("streams text events, then one end event with usage", async () => {
    const events = await collect(engine.generate({ prompt: "Once upon a time", maxNewTokens: 8 }));
    const end = events.at(-1);
    expect(end).toMatchObject({ type: "end", finishReason: "length" });
    const texts = events.filter((e) => e.type === "text");
    expect(texts.length).toBeGreaterThan(0);
    const tokens = texts.flatMap((e) => e.tokens);
    expect(tokens).toHaveLength(8);
    expect(end?.type === "end" && end.usage).toEqual({
      promptTokens: engine.model.tokenize("Once upon a time").length,
      completionTokens: 8,
    });
    expect(texts.map((e) => e.text).join("")).toBe(engine.model.detokenize(tokens));
  });

  it("is deterministic when greedy, and for a fixed seed when sampling", async () => {
    const greedy = () => engine.complete({ prompt: "The weather", maxNewTokens: 12 });
    expect((await greedy()).text).toBe((await greedy()).text);
    const sampled = (seed: number) =>
      engine.complete({
        prompt: "The weather",
        maxNewTokens: 12,
        sampling: { temperature: 1, topK: 100, topP: 0.95, minP: 0.01, seed },
      });
    const a = await sampled(7);
    expect((await sampled(7)).text).toBe(a.text);
    const others = await Promise.all([8, 9, 10].map(sampled));
    expect(others.some((o) => o.text !== a.text)).toBe(true);
  });

  it("stops at a stop sequence and leaves it out", async () => {
    const full = await engine.complete({ prompt: "Once upon a time", maxNewTokens: 16 });
    const stop = full.text.slice(6, 9);
    const stopped = await engine.complete({
      prompt: "Once upon a time",
      maxNewTokens: 16,
      stop: [stop],
    });
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
  });

  it("applies the model's chat template to messages", async () => {
    const messages = [{ role: "user" as const, content: "Hi there" }];
    const rendered = engine.model.applyChatTemplate(messages);
    expect(rendered).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    );
    // The template writes BOS itself; no second one is added.
    const tokens = engine.model.tokenizeChat(messages);
    expect(tokens).toEqual(engine.model.tokenize(rendered, { addBos: false }));
    expect(tokens.filter((t) => t === engine.model.metadata.specialTokens.bos.id)).toHaveLength(1);
    const result = await engine.complete({ messages, maxNewTokens: 6 });
    expect(result.usage.promptTokens).toBe(tokens.length);
  });

  it("cancels with an AbortSignal, reporting the tokens produced so far", async () => {
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    for await (const event of engine.generate({
      prompt: "Tell me",
      maxNewTokens: 400,
      signal: controller.signal,
    })) {
      events.push(event);
      if (events.length === 3) controller.abort();
    }
    const end = events.at(-1);
    expect(end).toMatchObject({ type: "end", finishReason: "cancelled" });
    expect(end?.type === "end" && end.usage.completionTokens).toBeLessThan(400);
    // The slot is free again: a new request runs.
    expect((await engine.complete({ prompt: "Hi", maxNewTokens: 2 })).usage.completionTokens).toBe(
      2,
    );
  });

  it("refuses maxNewTokens past what the context leaves, and cuts the default to it", async () => {
    const small = await loadTestEngine({ contextSize: 16 });
    try {
      const prompt = small.model.tokenize("Hello").length;
      const room = 16 - prompt;
      const error = await (async () => small.generate({ prompt: "Hello", maxNewTokens: 100 }))()
        .then(() => "no error")
        .catch((e) => e);
      expect(error).toMatchObject({ code: "context_overflow", param: "maxNewTokens" });
      expect(error.message).toBe(
        `100 new tokens do not fit: the context holds 16 tokens and the prompt takes ${prompt}, leaving at most ${room}`,
      );
      for (const maxNewTokens of [room, undefined]) {
        const result = await small.complete({ prompt: "Hello", maxNewTokens });
        expect(result.finishReason).toBe("length");
        expect(result.usage).toEqual({ promptTokens: prompt, completionTokens: room });
      }
    } finally {
      await small.close();
    }
  });

  it("a zero multiplier is bit-identical to no steering", async () => {
    const { layerCount, embeddingSize } = engine.model.metadata;
    const vector = randomControlVector(3, layerCount, embeddingSize, await strongNorm(engine));
    const plain = await engine.capture(["Once upon a time"], {
      layers: [1, layerCount - 1],
      allTokens: true,
      logits: true,
    });
    const zero = await engine.capture(["Once upon a time"], {
      layers: [1, layerCount - 1],
      allTokens: true,
      logits: true,
      steering: [{ vector, multiplier: 0 }],
    });
    expect(zero[0]?.logits).toEqual(plain[0]?.logits);
    expect(zero[0]?.states).toEqual(plain[0]?.states);
    const text = (multiplier: number) =>
      engine.complete({
        prompt: "Once upon a time",
        maxNewTokens: 16,
        steering: [{ vector, multiplier }],
      });
    expect((await text(0)).text).toBe(
      (await engine.complete({ prompt: "Once upon a time", maxNewTokens: 16 })).text,
    );
    expect((await text(2)).text).not.toBe((await text(0)).text);
  });
});
