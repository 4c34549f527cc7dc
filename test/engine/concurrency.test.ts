// Requests running at once, each with its own steering, get the tokens they get alone: they share
// batches (row steering gives each its own vector), where only float rounding can differ from a
// lone run, as in any batched server; greedy tokens on the test model do not move.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { GenerateOptions } from "../../gpu-node/engine/generation.ts";
import { errorCode, loadTestEngine, randomControlVector, strongNorm } from "../support/engine.ts";

let engine: Engine;
let norm: number;
beforeAll(async () => {
  // Two lanes of two sequences: six requests must share batches, queue, and mix steering.
  engine = await loadTestEngine({ lanes: 2, sequencesPerLane: 2 });
  norm = await strongNorm(engine);
});
afterAll(() => engine.close());

function requests(): GenerateOptions[] {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const vector = (seed: number) => randomControlVector(seed, layerCount, embeddingSize, norm);
  return [
    { prompt: "The weather today", maxNewTokens: 12 },
    {
      prompt: "The weather today",
      maxNewTokens: 12,
      steering: [{ vector: vector(1), multiplier: 1.5 }],
    },
    {
      prompt: "My favourite food is",
      maxNewTokens: 10,
      steering: [{ vector: vector(2), multiplier: -2 }],
    },
    {
      prompt: "The weather today",
      maxNewTokens: 12,
      steering: [{ vector: vector(1), multiplier: -1 }],
    },
    {
      prompt: "Write a poem",
      maxNewTokens: 14,
      sampling: { temperature: 0.9, seed: 5 },
      steering: [{ vector: vector(3), multiplier: 2 }],
    },
    {
      prompt: "A long prompt that spans more than one batch of tokens. ".repeat(12),
      maxNewTokens: 8,
      steering: [{ vector: vector(4), multiplier: 1 }],
    },
  ];
}

describe("concurrency", () => {
  it("concurrent requests with different steering each get the tokens they get alone", async () => {
    const alone = [];
    for (const request of requests()) alone.push(await engine.complete(request));
    // Steering must matter for this test to mean anything.
    expect(new Set(alone.slice(0, 2).map((r) => r.text)).size).toBe(2);
    expect(new Set([alone[1]?.text, alone[3]?.text]).size).toBe(2);

    const together = await Promise.all(requests().map((r) => engine.complete(r)));
    expect(together).toEqual(alone);
  });

  it("a cancelled request frees its place for one that waits", async () => {
    const small = await loadTestEngine({ lanes: 1, sequencesPerLane: 1 });
    const controller = new AbortController();
    const first = small.complete({ prompt: "Hello", maxNewTokens: 500, signal: controller.signal });
    const second = small.complete({ prompt: "Hello", maxNewTokens: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(small.stats).toEqual({ queueDepth: 1, activeRequests: 1, freeSequences: 0 });
    controller.abort();
    expect((await first).finishReason).toBe("cancelled");
    expect((await second).usage.completionTokens).toBe(3);
  });
});

describe("close", () => {
  it("cancels running and waiting requests, then refuses new ones", async () => {
    const closing = await loadTestEngine({ lanes: 1, sequencesPerLane: 1 });
    const running = closing.complete({ prompt: "Hello", maxNewTokens: 500 });
    const waiting = closing.complete({ prompt: "Hello", maxNewTokens: 500 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closing.close();
    expect((await running).finishReason).toBe("cancelled");
    expect(await waiting).toMatchObject({
      finishReason: "cancelled",
      usage: { completionTokens: 0 },
    });
    expect(await errorCode(() => closing.generate({ prompt: "Hi" }))).toBe("engine_closed");
  });
});
