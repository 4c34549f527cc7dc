// Constrained answers: a GBNF grammar every sampled token must follow, made from a JSON schema by
// llama.cpp's own converter. Even the tiny random test model then writes JSON that parses and has
// the schema's shape, greedy or sampled, steered or not, alone or batched with other requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { GenerateOptions } from "../../gpu-node/engine/generation.ts";
import { jsonSchemaGrammar } from "../../gpu-node/engine/grammar.ts";
import { type NativeSampler, native } from "../../gpu-node/engine/native.ts";
import { errorCode, loadTestEngine, randomControlVector, strongNorm } from "../support/engine.ts";

let engine: Engine;
let norm: number;
beforeAll(async () => {
  engine = await loadTestEngine();
  norm = await strongNorm(engine);
});
afterAll(() => engine.close());

/** The test model closes what it opens (its planted JSON habit), so answers take a few tokens. */
const objectSchema = {
  type: "object",
  properties: {
    mood: { enum: ["happy", "sad"] },
    tags: { type: "array", items: { enum: ["red", "blue"] }, minItems: 1, maxItems: 2 },
  },
  required: ["mood", "tags"],
};
const arraySchema = objectSchema.properties.tags;

function constrained(
  schema: object,
  options: Pick<GenerateOptions, "sampling" | "steering" | "grammar"> & { content?: string } = {},
): GenerateOptions {
  const { content = "Describe your mood", ...rest } = options;
  return {
    messages: [{ role: "user", content }],
    maxNewTokens: 100,
    grammar: jsonSchemaGrammar(schema),
    ...rest,
  };
}

/** The schemas' rules, checked by hand (the server tests validate with a JSON-schema validator). */
function expectTags(value: unknown): void {
  expect(Array.isArray(value)).toBe(true);
  const tags = value as unknown[];
  expect(tags.length).toBeGreaterThanOrEqual(1);
  expect(tags.length).toBeLessThanOrEqual(2);
  for (const tag of tags) expect(["red", "blue"]).toContain(tag);
}

function expectObject(text: string): void {
  const value = JSON.parse(text);
  expect(Object.keys(value)).toEqual(["mood", "tags"]);
  expect(["happy", "sad"]).toContain(value.mood);
  expectTags(value.tags);
}

describe("a grammar", () => {
  it("makes the answer follow the JSON schema, and ends it once complete", async () => {
    const answer = await engine.complete(constrained(objectSchema));
    expect(answer.finishReason).toBe("stop");
    expectObject(answer.text);
  });

  it("of any object (OpenAI's json_object) makes the answer an object", async () => {
    const answer = await engine.complete(constrained({ type: "object" }));
    expect(answer.finishReason).toBe("stop");
    const value = JSON.parse(answer.text);
    expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  });

  it("holds when sampling", async () => {
    for (const seed of [1, 2]) {
      const sampling = { temperature: 1, topP: 0.9, seed };
      const answer = await engine.complete(constrained(arraySchema, { sampling }));
      expect(answer.finishReason).toBe("stop");
      expectTags(JSON.parse(answer.text));
    }
  });

  it("holds for steered and unconstrained requests batched together, each as alone", async () => {
    const { layerCount, embeddingSize } = engine.model.metadata;
    const steering = [
      { vector: randomControlVector(1, layerCount, embeddingSize, norm), multiplier: 3 },
    ];
    const requests = [
      constrained(arraySchema),
      constrained(arraySchema, { steering }),
      { prompt: "The weather today", maxNewTokens: 12 },
      constrained(arraySchema, { content: "Hello", steering }),
    ];
    const alone = [];
    for (const request of requests) alone.push(await engine.complete(request));
    expect(alone[0]?.text).not.toBe(alone[1]?.text); // steering matters
    const together = await Promise.all(requests.map((request) => engine.complete(request)));
    expect(together).toEqual(alone);
    for (const i of [0, 1, 3]) expectTags(JSON.parse(together[i]?.text ?? ""));
  });

  it("is refused when llama.cpp cannot parse it, or empty", async () => {
    for (const grammar of ["root ::= (", 'root ::= undefined-rule "a"', ""]) {
      const request = constrained(arraySchema, { grammar });
      expect(await errorCode(() => engine.complete(request))).toBe("invalid_request");
    }
  });
});

describe("jsonSchemaGrammar", () => {
  it("refuses a schema the answer could not be held to, naming the place in it", () => {
    const schema = { type: "object", properties: { name: { type: "string", pattern: "^a+$" } } };
    expect(() => jsonSchemaGrammar(schema)).toThrow(
      expect.objectContaining({ code: "invalid_request", param: "schema.properties.name.pattern" }),
    );
  });
});

describe("the sampler", () => {
  /** Greedy steps of `sampler` after `prompt`, straight on a native context. */
  async function sample(sampler: NativeSampler, steps: number): Promise<number[]> {
    const context = new (native().addon.Context)(engine.model.native, {
      contextSize: 256,
      batchSize: 64,
      sequences: 1,
      threads: 1,
    });
    try {
      let tokens = engine.model.tokenize("Describe your mood");
      let position = 0;
      const sampled: number[] = [];
      for (let step = 0; step < steps; step++) {
        const result = await context.decode({
          tokens: Int32Array.from(tokens),
          positions: Int32Array.from(tokens, (_, i) => position + i),
          sequences: new Int32Array(tokens.length),
          outputs: Uint8Array.from(tokens, (_, i) => (i === tokens.length - 1 ? 1 : 0)),
          sample: [{ sampler, row: tokens.length - 1 }],
        });
        position += tokens.length;
        tokens = Array.from(result.sampled);
        sampled.push(...tokens);
      }
      return sampled;
    } finally {
      context.free();
    }
  }

  it("keeps plain greedy an argmax, and applies a grammar to the whole vocabulary only when the argmax breaks it", async () => {
    const { addon } = native();
    const plain = new addon.Sampler(engine.model.native, { temperature: 0 });
    await sample(plain, 8);
    expect(plain.stats()).toEqual({ candidateLists: 0, grammarPasses: 0 });

    const grammar = new addon.Sampler(engine.model.native, {
      temperature: 0,
      grammar: jsonSchemaGrammar(objectSchema),
    });
    await sample(grammar, 8);
    const { candidateLists, grammarPasses } = grammar.stats();
    expect(grammarPasses).toBeGreaterThan(0);
    expect(grammarPasses).toBeLessThanOrEqual(8);
    expect(candidateLists).toBe(grammarPasses);
    for (const sampler of [plain, grammar]) sampler.free();
  });
});
