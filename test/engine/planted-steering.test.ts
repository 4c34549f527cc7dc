// Steering does what users buy it for: along the test model's planted "cheerful" direction, the
// multiplier moves what the model writes, monotonically, from gloomy words to cheerful ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type PlantedConcept, readPlantedConcept } from "../../gpu-node/test-model/index.ts";
import { plantedControlVector } from "../../gpu-node/test-model/planted-vector.ts";
import type { ControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";

let engine: Engine;
let concept: PlantedConcept;
let cheerful: ControlVector;
const messages = [{ role: "user" as const, content: "Tell me about your day." }];

beforeAll(async () => {
  engine = await loadTestEngine();
  concept = readPlantedConcept((await readGgufFile(testModelPath)).metadata);
  cheerful = plantedControlVector(concept, engine.model.metadata.layerCount);
});
afterAll(() => engine.close());

/** Probability mass of the cheerful and gloomy words as the next token, under multiplier m. */
async function conceptMass(multiplier: number) {
  const [captured] = await engine.captureTokens([engine.model.tokenizeChat(messages)], {
    layers: [1],
    logits: true,
    steering: [{ vector: cheerful, multiplier }],
  });
  const logits = captured?.logits[0] ?? new Float32Array();
  const max = logits.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const weights = Array.from(logits, (x) => Math.exp(x - max));
  const total = weights.reduce((a, b) => a + b, 0);
  const mass = (ids: Int32Array) =>
    Array.from(ids).reduce((sum, id) => sum + (weights[id] ?? 0), 0) / total;
  return { positive: mass(concept.positiveTokenIds), negative: mass(concept.negativeTokenIds) };
}

const words = (text: string, list: string[]) =>
  text.split(/\s+/).filter((w) => list.includes(w)).length;

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
    const write = async (multiplier: number) =>
      (
        await engine.complete({
          messages,
          maxNewTokens: 8,
          steering: [{ vector: cheerful, multiplier }],
        })
      ).text;
    const [gloomy, plain, happy] = [await write(-1), await write(0), await write(1)];
    expect(words(happy, concept.positiveWords)).toBeGreaterThanOrEqual(6);
    expect(words(gloomy, concept.negativeWords)).toBeGreaterThanOrEqual(6);
    expect(words(plain, [...concept.positiveWords, ...concept.negativeWords])).toBe(0);
  });

  it("a repetition penalty breaks the steered model's repetition", async () => {
    const write = (repetitionPenalty: number) =>
      engine.complete({
        messages,
        maxNewTokens: 8,
        sampling: { repetitionPenalty },
        steering: [{ vector: cheerful, multiplier: 1 }],
      });
    const repeated = (await write(1)).text.split(/\s+/).filter(Boolean);
    const varied = (await write(3)).text.split(/\s+/).filter(Boolean);
    expect(new Set(varied).size).toBeGreaterThan(new Set(repeated).size);
  });
});
