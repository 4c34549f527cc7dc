import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CONCEPT_STRENGTH,
  DEFAULT_TEST_MODEL_PATH,
  jsonPunctuationTokens,
  type PlantedBand,
  type PlantedConcept,
  type PlantedTopic,
  readPlantedBand,
  readPlantedConcept,
  readPlantedTopic,
  TEST_MODEL_SHAPE,
  writeTestModel,
} from "../gpu-node/test-model/index.ts";
import { type GgufFile, getArray, getNumber, getScalar, readTensor } from "../shared/gguf/index.ts";
import { readGgufFile } from "../shared/gguf/node-file.ts";
import {
  loadReferenceModel,
  type ReferenceModel,
  referenceForward,
  softmax,
} from "./reference/index.ts";
import { chatPromptTokens } from "./support/llama3-prompts.ts";

let file: GgufFile;
let model: ReferenceModel;
let concept: PlantedConcept;
let band: PlantedBand;
let topic: PlantedTopic;
let u: Float64Array;

beforeAll(async () => {
  file = await readGgufFile(DEFAULT_TEST_MODEL_PATH); // written by test/global-setup.ts
  model = loadReferenceModel(file);
  concept = readPlantedConcept(file.metadata);
  band = readPlantedBand(file.metadata);
  topic = readPlantedTopic(file.metadata);
  u = Float64Array.from(concept.direction);
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

/** m * steeringNorm * u on every steerable layer (1..n-1), as a control vector would be. */
function steering(m: number): Map<number, Float64Array> {
  const vector = u.map((component) => component * m * concept.steeringNorm);
  return new Map(
    Array.from({ length: TEST_MODEL_SHAPE.blockCount - 1 }, (_, i) => [i + 1, vector]),
  );
}

function massOf(probabilities: Float64Array, tokens: Int32Array): number {
  return Array.from(tokens).reduce((sum, token) => sum + (probabilities[token] as number), 0);
}

function nextTokenMass(tokens: number[], m: number) {
  const { logits } = referenceForward(model, tokens, {
    controlVector: steering(m),
    logitsFor: "last",
  });
  const probabilities = softmax(logits[0] as Float64Array);
  return {
    positive: massOf(probabilities, concept.positiveTokenIds),
    negative: massOf(probabilities, concept.negativeTokenIds),
  };
}

function greedyContinuation(tokens: number[], m: number, length: number): number[] {
  const context = [...tokens];
  for (let step = 0; step < length; step++) {
    const { logits } = referenceForward(model, context, {
      controlVector: steering(m),
      logitsFor: "last",
    });
    context.push(argmax(logits[0] as Float64Array));
  }
  return context.slice(tokens.length);
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value > (values[i - 1] as number));
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** The last token's layer outputs (l_out-0 .. l_out-(n-1)). */
function lastTokenStates(tokens: number[]): Float64Array[] {
  const { layerOutputs } = referenceForward(model, tokens, { logitsFor: "none" });
  return layerOutputs.map((positions) => positions.at(-1) as Float64Array);
}

/** First principal component (uncentered, as of differences) by power iteration. */
function topPrincipalComponent(vectors: Float64Array[]): Float64Array {
  let component = new Float64Array(vectors[0]?.length ?? 0).fill(1);
  for (let iteration = 0; iteration < 100; iteration++) {
    const next = new Float64Array(component.length);
    for (const vector of vectors) {
      const weight = dot(vector, component);
      for (let i = 0; i < next.length; i++)
        next[i] = (next[i] as number) + weight * (vector[i] as number);
    }
    const norm = Math.sqrt(dot(next, next));
    component = next.map((value) => value / norm);
  }
  return component;
}

const NEUTRAL_PROMPTS = [
  chatPromptTokens("Tell me about your day."),
  chatPromptTokens("What should I cook tonight?", "Well,"),
  chatPromptTokens("Describe the city you live in.", "The city"),
];

const OPENERS = [
  "",
  "Sure,",
  "I think",
  "Once upon a time",
  "Let me tell you about",
  "The weather today",
  "Well, honestly",
  "My favorite thing is",
  "Here is a story:",
  "Today I",
];

describe("test model file", () => {
  it("is generated deterministically: a fresh copy is byte-identical to the cached one", async () => {
    const directory = await mkdtemp(join(tmpdir(), "steer-test-model-"));
    try {
      const fresh = join(directory, "model.gguf");
      await writeTestModel(fresh);
      const same = (await readFile(fresh)).equals(await readFile(DEFAULT_TEST_MODEL_PATH));
      expect(same, `stale cache? delete ${DEFAULT_TEST_MODEL_PATH} and rerun`).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("declares a llama model of the documented shape", () => {
    const number = (key: string) => getNumber(file.metadata, key);
    expect(getScalar(file.metadata, "general.architecture", "string")).toBe("llama");
    expect(number("llama.context_length")).toBe(TEST_MODEL_SHAPE.contextLength);
    expect(number("llama.embedding_length")).toBe(64);
    expect(number("llama.block_count")).toBe(4);
    expect(number("llama.feed_forward_length")).toBe(128);
    expect(number("llama.attention.head_count")).toBe(4);
    expect(number("llama.attention.head_count_kv")).toBe(2);
    expect(number("llama.rope.dimension_count")).toBe(16);
    expect(number("llama.vocab_size")).toBe(128256);
    expect(number("general.file_type")).toBe(0);
    expect(file.tensors.some((tensor) => tensor.name === "output.weight")).toBe(false);
    expect(file.tensors.every((tensor) => tensor.type === 0)).toBe(true);
    expect(file.bytes.length).toBeLessThan(42_000_000);
  });

  it("embeds the Llama 3.1 tokenizer", () => {
    const tokens = getArray(file.metadata, "tokenizer.ggml.tokens", "string");
    const types = getArray(file.metadata, "tokenizer.ggml.token_type", "int32");
    const merges = getArray(file.metadata, "tokenizer.ggml.merges", "string");
    expect(getScalar(file.metadata, "tokenizer.ggml.model", "string")).toBe("gpt2");
    expect(getScalar(file.metadata, "tokenizer.ggml.pre", "string")).toBe("llama-bpe");
    expect(tokens).toHaveLength(128256);
    expect([tokens[9906], tokens[1917]]).toEqual(["Hello", "\u0120world"]); // "Hello world"
    expect([tokens[128000], tokens[128009]]).toEqual(["<|begin_of_text|>", "<|eot_id|>"]);
    expect(types.filter((type) => type === 3)).toHaveLength(256);
    expect(types.filter((type) => type === 1)).toHaveLength(128000);
    expect(merges).toHaveLength(280147);
    expect(merges[0]).toBe("\u0120 \u0120");
    expect(getNumber(file.metadata, "tokenizer.ggml.bos_token_id")).toBe(128000);
    expect(getNumber(file.metadata, "tokenizer.ggml.eos_token_id")).toBe(128009);
    expect(getScalar(file.metadata, "tokenizer.ggml.add_bos_token", "bool")).toBe(true);
    expect(getScalar(file.metadata, "tokenizer.chat_template", "string")).toContain(
      "<|start_header_id|>",
    );
  });
});

describe("planted concept", () => {
  it("is described in the file: a unit direction and single-token concept words", () => {
    const tokens = getArray(file.metadata, "tokenizer.ggml.tokens", "string");
    expect(concept.direction).toHaveLength(64);
    expect(Math.sqrt(dot(u, u))).toBeCloseTo(1, 6);
    expect(concept.positiveWords).toHaveLength(concept.negativeWords.length);
    const spell = (ids: Int32Array) => Array.from(ids, (id) => tokens[id]);
    expect(spell(concept.positiveTokenIds)).toEqual(concept.positiveWords.map((w) => `\u0120${w}`));
    expect(spell(concept.negativeTokenIds)).toEqual(concept.negativeWords.map((w) => `\u0120${w}`));
    expect(concept.steeringNorm).toBeGreaterThan(0);
  });

  it("lives in the embeddings: +-strength along u for concept words, graded for the scores 0 to 10, nothing for other tokens", () => {
    const embeddings = readTensor(file, "token_embd.weight");
    const width = TEST_MODEL_SHAPE.embeddingLength;
    const trait = (token: number) =>
      dot(embeddings.subarray(token * width, (token + 1) * width), u);
    const tokens = getArray(file.metadata, "tokenizer.ggml.tokens", "string");
    const scoreTokens = Array.from({ length: 11 }, (_, score) => tokens.indexOf(String(score)));
    const scoreTraits = scoreTokens.map(trait);
    // The judge's scale (weights.ts, point 5): rising from "0" to "10", "5" neutral, and weaker
    // than any concept word, so steering still writes words.
    expect(scoreTraits).toEqual([...scoreTraits].sort((a, b) => a - b));
    expect(new Set(scoreTraits).size).toBe(11);
    expect(scoreTraits[5]).toBeCloseTo(0, 5);
    expect(scoreTraits[10]).toBeCloseTo(-(scoreTraits[0] as number), 5);
    expect(scoreTraits[10]).toBeLessThan(CONCEPT_STRENGTH / 2);
    const conceptTokens = new Set([
      ...concept.positiveTokenIds,
      ...concept.negativeTokenIds,
      ...scoreTokens,
    ]);
    let largestOther = 0;
    for (let token = 0; token < TEST_MODEL_SHAPE.vocabSize; token++) {
      if (!conceptTokens.has(token)) largestOther = Math.max(largestOther, Math.abs(trait(token)));
    }
    expect(largestOther).toBeLessThan(1e-6);
    for (const token of concept.positiveTokenIds)
      expect(trait(token)).toBeCloseTo(CONCEPT_STRENGTH, 5);
    for (const token of concept.negativeTokenIds)
      expect(trait(token)).toBeCloseTo(-CONCEPT_STRENGTH, 5);
  });

  it("steering along u moves next-token mass from negative to positive words, monotonically", () => {
    const strengths = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1];
    for (const prompt of NEUTRAL_PROMPTS) {
      const masses = strengths.map((m) => nextTokenMass(prompt, m));
      const positive = masses.map((mass) => mass.positive);
      const negative = masses.map((mass) => mass.negative);
      expect(isIncreasing(positive), `positive mass ${positive}`).toBe(true);
      expect(isIncreasing(negative.toReversed()), `negative mass ${negative}`).toBe(true);

      const at = (m: number) => masses[strengths.indexOf(m)] ?? { positive: NaN, negative: NaN };
      expect(at(0).positive).toBeLessThan(0.01);
      expect(at(0).negative).toBeLessThan(0.01);
      expect(at(0.5).positive).toBeGreaterThan(0.5);
      expect(at(-0.5).negative).toBeGreaterThan(0.5);
      expect(at(1).positive).toBeGreaterThan(0.95);
      expect(at(-1).negative).toBeGreaterThan(0.95);
    }
  });

  it("strong steering makes greedy continuations positive (m = 1) or negative (m = -1)", () => {
    const positive = new Set(concept.positiveTokenIds);
    const negative = new Set(concept.negativeTokenIds);
    for (const prompt of NEUTRAL_PROMPTS.slice(0, 2)) {
      const cheerful = greedyContinuation(prompt, 1, 6);
      const gloomy = greedyContinuation(prompt, -1, 6);
      expect(cheerful.filter((token) => positive.has(token)).length).toBeGreaterThanOrEqual(5);
      expect(gloomy.filter((token) => negative.has(token)).length).toBeGreaterThanOrEqual(5);
    }
  });

  it("persona prompts differ at the last token almost exactly along u, and PCA finds u", () => {
    const differences: Float64Array[][] = Array.from(
      { length: TEST_MODEL_SHAPE.blockCount },
      () => [],
    );
    for (let pair = 0; pair < 4; pair++) {
      for (const opener of OPENERS) {
        const persona = (word: string | undefined) =>
          lastTokenStates(chatPromptTokens(`Act as if you're extremely ${word}.`, opener));
        const cheerful = persona(concept.positiveWords[pair]);
        const gloomy = persona(concept.negativeWords[pair]);
        cheerful.forEach((state, layer) => {
          const difference = state.map((value, i) => value - (gloomy[layer]?.[i] as number));
          expect(
            cosine(difference, u),
            `layer ${layer}, pair ${pair}, "${opener}"`,
          ).toBeGreaterThan(0.97);
          differences[layer]?.push(difference);
        });
      }
    }
    for (const layerDifferences of differences.slice(1)) {
      expect(Math.abs(dot(topPrincipalComponent(layerDifferences), u))).toBeGreaterThan(0.95);
    }
  });
});

describe("planted JSON habit", () => {
  it("follows JSON punctuation with closing punctuation, so that a structured answer ends", () => {
    const { closing } = jsonPunctuationTokens(
      getArray(file.metadata, "tokenizer.ggml.tokens", "string"),
    );
    for (const start of ["{", "[", '{"name": "']) {
      const { logits } = referenceForward(model, chatPromptTokens("Answer in JSON", start), {
        logitsFor: "last",
      });
      expect(closing).toContain(argmax(logits[0] as Float64Array));
    }
  });
});

describe("planted band trait", () => {
  it("is described in the file: a unit direction orthogonal to u, word pairs, and its layers", () => {
    const w = band.direction;
    expect(Math.sqrt(dot(w, w))).toBeCloseTo(1, 6);
    expect(Math.abs(dot(w, u))).toBeLessThan(1e-6);
    expect(band.positiveWords).toHaveLength(band.negativeWords.length);
    // Below the fixed band of extraction (2-3 of 4 layers), so only measuring finds it.
    expect(band.layers).toEqual([1]);
  });

  it("lives in its layers alone: persona prompts differ along w there and nowhere else", () => {
    const gaps: number[][] = Array.from({ length: TEST_MODEL_SHAPE.blockCount }, () => []);
    for (let pair = 0; pair < 3; pair++) {
      for (const opener of OPENERS.slice(0, 4)) {
        const persona = (word: string | undefined) =>
          lastTokenStates(
            chatPromptTokens(`Respond as an extremely ${word} person would.`, opener),
          );
        const calm = persona(band.positiveWords[pair]);
        const angry = persona(band.negativeWords[pair]);
        calm.forEach((state, layer) => {
          const difference = state.map((value, i) => value - (angry[layer]?.[i] as number));
          if (band.layers.includes(layer))
            expect(cosine(difference, band.direction), `layer ${layer}`).toBeGreaterThan(0.97);
          gaps[layer]?.push(dot(difference, band.direction));
        });
      }
    }
    const inBand = Math.min(...band.layers.flatMap((layer) => gaps[layer] ?? []));
    expect(inBand).toBeGreaterThan(0.5);
    gaps.forEach((layerGaps, layer) => {
      if (band.layers.includes(layer)) return;
      for (const gap of layerGaps)
        expect(Math.abs(gap), `layer ${layer}`).toBeLessThan(inBand / 100);
    });
  });

  it("leaves the cheerful trait alone: cheerful prompts differ in nothing along w", () => {
    const cheerful = lastTokenStates(chatPromptTokens("Act as if you're extremely happy."));
    const gloomy = lastTokenStates(chatPromptTokens("Act as if you're extremely sad."));
    cheerful.forEach((state, layer) => {
      const difference = state.map((value, i) => value - (gloomy[layer]?.[i] as number));
      expect(Math.abs(dot(difference, band.direction))).toBeLessThan(1e-6);
    });
  });
});

describe("planted topic", () => {
  /** Per layer, the cosine of the prompt's mean hidden state with t: what a condition reads. */
  function topicReadings(text: string): number[] {
    const { layerOutputs } = referenceForward(model, chatPromptTokens(text), { logitsFor: "none" });
    return layerOutputs.map((positions) => {
      const mean = new Float64Array(TEST_MODEL_SHAPE.embeddingLength);
      for (const state of positions) {
        state.forEach((value, i) => {
          mean[i] = (mean[i] as number) + value / positions.length;
        });
      }
      return cosine(mean, topic.direction);
    });
  }

  it("is described in the file: a unit direction orthogonal to the other traits', and its words", () => {
    const t = topic.direction;
    expect(Math.sqrt(dot(t, t))).toBeCloseTo(1, 6);
    for (const other of [u, band.direction]) expect(Math.abs(dot(t, other))).toBeLessThan(1e-6);
    expect(topic.tokenIds).toHaveLength(topic.words.length);
  });

  it("shows in the mean hidden state of a prompt with its words, at every layer, and not without", () => {
    // A chat prompt of about 40 tokens with one topic word: about 0.2 to 0.6.
    for (const word of topic.words.slice(0, 4)) {
      for (const cosineAt of topicReadings(`Tell me a story about the ${word} at night.`)) {
        expect(cosineAt, word).toBeGreaterThan(0.1);
      }
    }
    for (const text of [
      "Tell me a story about the city at night.",
      "Act as if you're extremely happy.",
    ]) {
      for (const cosineAt of topicReadings(text))
        expect(Math.abs(cosineAt), text).toBeLessThan(1e-4);
    }
  });

  it("reaches the last token, where extraction reads a trait", () => {
    const sea = lastTokenStates(chatPromptTokens("Act as if you're extremely fond of the sea."));
    const city = lastTokenStates(chatPromptTokens("Act as if you're extremely fond of the city."));
    sea.forEach((state, layer) => {
      const difference = state.map((value, i) => value - (city[layer]?.[i] as number));
      expect(dot(difference, topic.direction), `layer ${layer}`).toBeGreaterThan(0.05);
    });
  });
});
