// Row steering: requests that steer differently share one decode, each token getting its own
// request's vector, and the numbers are exactly those of llama.cpp's own control vector.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchSteering } from "../../gpu-node/engine/batch-steering.ts";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type ComposedSteering, composeSteering } from "../../gpu-node/engine/steering.ts";
import { argmax, relativeError } from "../support/compare.ts";
import { loadTestEngine, randomControlVector, strongNorm } from "../support/engine.ts";
import { MixedBatch } from "../support/mixed-batch.ts";

let engine: Engine;
let a: ComposedSteering;
let b: ComposedSteering;
let steer: (seed: number, multiplier: number) => ComposedSteering;

beforeAll(async () => {
  engine = await loadTestEngine();
  const shape = engine.model.metadata;
  const norm = await strongNorm(engine);
  steer = (seed, multiplier) => {
    const vector = randomControlVector(seed, shape.layerCount, shape.embeddingSize, norm);
    return composeSteering([{ vector, multiplier }], shape) as ComposedSteering;
  };
  a = steer(1, 1.5);
  b = steer(2, -1);
});

/** The same vector in an array of its own: to the native side, another vector. */
const copyOf = (steering: ComposedSteering): ComposedSteering => ({
  ...steering,
  buffer: steering.buffer.slice(),
});
afterAll(() => engine.close());

describe("batchSteering", () => {
  it("uses the context's vector when every request steers alike", () => {
    expect(
      batchSteering([
        { steering: a, tokens: 3 },
        { steering: a, tokens: 1 },
      ]),
    ).toEqual({
      mode: "context",
      vector: a,
    });
    expect(batchSteering([{ steering: null, tokens: 2 }])).toEqual({
      mode: "context",
      vector: null,
    });
  });

  it("gives each token its request's vector when they differ", () => {
    const plan = batchSteering([
      { steering: a, tokens: 2 },
      { steering: null, tokens: 1 },
      { steering: b, tokens: 1 },
      { steering: a, tokens: 1 },
    ]);
    expect(plan).toEqual({
      mode: "rows",
      rowSteering: { vectors: [a, b], rows: Int32Array.from([0, 0, -1, 1, 0]) },
    });
  });
});

describe("a mixed batch", () => {
  const batch = () =>
    new MixedBatch(engine, ["The weather today", "My favourite food is a", "Write"]);

  it("adds exactly what llama.cpp's control vector adds", async () => {
    const mixed = batch();
    const byContext = await mixed.lastLogits([0, 1, 2], undefined, a);
    const byRows = await mixed.lastLogits([0, 1, 2], {
      vectors: [a],
      rows: mixed.rowsOf([0, 0, 0]),
    });
    expect(byRows).toEqual(byContext);
    // Steering must matter here, or equality would prove nothing.
    expect(await mixed.lastLogits([0, 1, 2], undefined, null)).not.toEqual(byContext);
  });

  it("steers each request of the batch as it is steered alone", async () => {
    const steerings = [a, null, b];
    const mixed = batch();
    const together = await mixed.lastLogits([0, 1, 2], {
      vectors: [a, b],
      rows: mixed.rowsOf([0, -1, 1]),
    });
    for (const [p, steering] of steerings.entries()) {
      const [alone] = await mixed.lastLogits([p], undefined, steering);
      const [plain] = await mixed.lastLogits([p], undefined, null);
      const logits = together[p] as Float32Array;
      // A batch of three rounds differently from a batch of one: equal within float32 rounding.
      expect(relativeError(logits, alone as Float32Array)).toBeLessThan(1e-5);
      expect(argmax(logits)).toBe(argmax(alone as Float32Array));
      if (steering) expect(relativeError(logits, plain as Float32Array)).toBeGreaterThan(1e-2);
    }
  });
});

// The vectors stay in the memory of the device that adds them, each in a slot it keeps across
// decodes; a context of n sequences keeps 2n + 1 slots (one all zeros) and makes more when one
// decode needs them. A slot handed to a new vector must never add its old one.
describe("the vectors kept on the device", () => {
  const prompts = ["The weather today", "My favourite food is a", "Write"];

  it("makes room for more distinct vectors in one decode than it keeps", async () => {
    const mixed = new MixedBatch(engine, prompts);
    // Every token its own copy of a: more than 2 * 3 + 1 distinct arrays, the same floats.
    const count = [0, 1, 2].reduce((sum, p) => sum + mixed.length(p), 0);
    expect(count).toBeGreaterThan(7);
    const copies = Array.from({ length: count }, () => copyOf(a));
    let next = 0;
    const byRows = await mixed.lastLogits([0, 1, 2], {
      vectors: copies,
      rows: mixed.rowsOfTokens(() => next++),
    });
    expect(byRows).toEqual(await mixed.lastLogits([0, 1, 2], undefined, a));
  });

  it("gives a slot up to a new vector without ever adding the old one", async () => {
    const kept = new MixedBatch(engine, prompts, 1, true);
    const fresh = new MixedBatch(engine, prompts);
    try {
      // a stays in use; two new vectors a round overflow the 7 slots by the fourth round.
      for (let round = 0; round < 6; round++) {
        const steering = {
          vectors: [a, steer(100 + round, 1), steer(200 + round, -1)],
          rows: kept.rowsOf([0, 1, 2]),
        };
        const onKeptContext = await kept.lastLogits([0, 1, 2], steering);
        expect(onKeptContext, `round ${round}`).toEqual(
          await fresh.lastLogits([0, 1, 2], steering),
        );
      }
    } finally {
      kept.close();
    }
  });

  it("steers only the layers each vector names, in a batch that mixes layer ranges", async () => {
    const layers = engine.model.metadata.layerCount;
    const low = { ...copyOf(a), lastLayer: Math.floor(layers / 2) };
    const high = { ...copyOf(b), firstLayer: Math.floor(layers / 2) + 1 };
    const mixed = new MixedBatch(engine, prompts);
    const together = await mixed.lastLogits([0, 1, 2], {
      vectors: [low, high],
      rows: mixed.rowsOf([0, 1, -1]),
    });
    for (const [p, steering] of [low, high, null].entries()) {
      const [alone] = await mixed.lastLogits([p], undefined, steering);
      expect(relativeError(together[p] as Float32Array, alone as Float32Array)).toBeLessThan(1e-5);
    }
    const [whole] = await mixed.lastLogits([0], undefined, a);
    expect(relativeError(together[0] as Float32Array, whole as Float32Array)).toBeGreaterThan(1e-3);
  });
});
