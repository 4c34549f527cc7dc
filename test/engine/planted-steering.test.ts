// Steering does what users buy it for: along the test model's planted "cheerful" direction, the
// multiplier moves what the model writes, monotonically, from gloomy words to cheerful ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import {
  countWords,
  DAY_PROMPT,
  type Planted,
  readPlanted,
  steeredAnswers,
} from "../support/planted.ts";

let engine: Engine;
let planted: Planted;

beforeAll(async () => {
  engine = await loadTestEngine();
  planted = await readPlanted(testModelPath, engine.model.metadata.layerCount);
});
afterAll(() => engine.close());

/** Probability mass of the cheerful and gloomy words as the next token, under multiplier m. */
async function conceptMass(multiplier: number) {
  const [captured] = await engine.captureTokens([engine.model.tokenizeChat(DAY_PROMPT)], {
    layers: [1],
    logits: true,
    steering: [{ vector: planted.cheerful, multiplier }],
  });
  const logits = captured?.logits[0] ?? new Float32Array();
  const max = logits.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const weights = Array.from(logits, (x) => Math.exp(x - max));
  const total = weights.reduce((a, b) => a + b, 0);
  const mass = (ids: Int32Array) =>
    Array.from(ids).reduce((sum, id) => sum + (weights[id] ?? 0), 0) / total;
  return {
    positive: mass(planted.concept.positiveTokenIds),
    negative: mass(planted.concept.negativeTokenIds),
  };
}

describe("steering along the planted direction", () => {
  it("shifts the next-token distribution monotonically with the multiplier", async () => {
    const multipliers = [-1, -0.5, -0.25, 0, 0.25, 0.5, 1];
    const masses = [];
    for (const m of multipliers) masses.push(await conceptMass(m));
    for (let i = 1; i < masses.length; i++) {
      expect(masses[i]?.positive).toBeGreaterThan(masses[i - 1]?.positive ?? 1);
      expect(masses[i]?.negative).toBeLessThan(masses[i - 1]?.negative ?? 0);
    }
    expect(masses.at(-1)?.positive).toBeGreaterThan(0.9);
    expect(masses[0]?.negative).toBeGreaterThan(0.9);
  });

  it("visibly changes what the model writes", async () => {
    const { positiveWords, negativeWords } = planted.concept;
    const answers = await steeredAnswers(engine, planted);
    expect(countWords(answers.cheerful, positiveWords)).toBeGreaterThanOrEqual(6);
    expect(countWords(answers.gloomy, negativeWords)).toBeGreaterThanOrEqual(6);
    expect(countWords(answers.plain, [...positiveWords, ...negativeWords])).toBe(0);
  });

  it("a repetition penalty breaks the steered model's repetition", async () => {
    const write = async (repetitionPenalty: number) => {
      const { text } = await engine.complete({
        messages: DAY_PROMPT,
        maxNewTokens: 8,
        sampling: { repetitionPenalty },
        steering: [{ vector: planted.cheerful, multiplier: 1 }],
      });
      return new Set(text.split(/\s+/).filter(Boolean)).size;
    };
    expect(await write(3)).toBeGreaterThan(await write(1));
  });
});
