// Contrastive datasets: persona pairs that differ in the persona alone, explicit pairs, and an
// error for every way an input can be wrong once the model is known (what is wrong without it is
// the contract's schemas' to say: test/server/extractions.test.ts, test/extraction/cli.test.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import {
  type PersonaSpec,
  pairDataset,
  personaDataset,
} from "../../gpu-node/extraction/dataset.ts";
import { DEFAULT_OPENERS } from "../../gpu-node/extraction/openers.ts";
import { MAX_EXTRACTION_PAIRS, MAX_EXTRACTION_TOKENS } from "../../shared/limits.ts";
import {
  DEFAULT_PERSONA_TEMPLATE,
  PERSONA_PLACEHOLDER,
} from "../../shared/node-api/extractions.ts";
import { loadTestEngine } from "../support/engine.ts";

let engine: Engine;
beforeAll(async () => {
  engine = await loadTestEngine({ contextSize: 64 });
});
afterAll(() => engine.close());

const chat = (persona: string) =>
  engine.model.tokenizeChat([
    { role: "user", content: DEFAULT_PERSONA_TEMPLATE.replace(PERSONA_PLACEHOLDER, persona) },
  ]);
const tokens = (text: string) => engine.model.tokenize(text, { addBos: false });

describe("persona datasets", () => {
  it("pair every opener prefix with every persona pair, differing in the persona alone", async () => {
    const pairs = await personaDataset(engine, {
      positive: ["happy", "cheerful"],
      negative: ["sad", "miserable"],
      openers: ["I think so", "I feel"],
    });
    // "I" is shared: prefixes "I", "I think", "I think so", "I feel".
    const prefixes = [tokens("I"), tokens("I think"), tokens("I think so"), tokens("I feel")];
    expect(pairs).toEqual(
      prefixes.flatMap((prefix) => [
        { positive: [...chat("happy"), ...prefix], negative: [...chat("sad"), ...prefix] },
        { positive: [...chat("cheerful"), ...prefix], negative: [...chat("miserable"), ...prefix] },
      ]),
    );
  });

  it("read the persona into a chat user message and start the assistant's reply", async () => {
    const [pair] = await personaDataset(engine, {
      positive: ["happy"],
      negative: ["sad"],
      template: "Be {persona}, very {persona}.",
      openers: ["Well"],
    });
    expect(engine.model.detokenize(pair?.positive ?? [], { special: true })).toMatch(
      /user.*Be happy, very happy\.<\|eot_id\|>.*assistant.*\n\nWell$/s,
    );
  });

  it("ship 100 or more distinct default openers", async () => {
    expect(DEFAULT_OPENERS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(DEFAULT_OPENERS).size).toBe(DEFAULT_OPENERS.length);
    const pairs = await personaDataset(engine, { positive: ["happy"], negative: ["sad"] });
    expect(pairs.length).toBeGreaterThan(300);
  });
});

describe("the size of a persona dataset", () => {
  const pairs = (personaPairs: number, openers: string[]) =>
    personaDataset(engine, {
      positive: Array(personaPairs).fill("happy"),
      negative: Array(personaPairs).fill("sad"),
      openers,
    });
  const opener = "a ".repeat(20);

  it("counts each distinct token-prefix once, up to the pair limit exactly", async () => {
    const prefixes = tokens(opener).length;
    const most = Math.floor(MAX_EXTRACTION_PAIRS / prefixes);
    // A repeat, and a start of an opener, make no prefix of their own.
    const openers = [opener, opener.slice(0, 9), opener];
    expect(await pairs(most, openers)).toHaveLength(prefixes * most);
    await expect(pairs(most + 1, openers)).rejects.toMatchObject({
      code: "invalid_request",
      param: "personas.openers",
      message: expect.stringContaining(`more than the limit of ${MAX_EXTRACTION_PAIRS} pairs`),
    });
  });

  it("refuses openers of too many prefixes once past a limit, tokenizing no further", async () => {
    // 512 distinct openers of about 2000 characters: hundreds of prefixes each.
    const words = (i: number) => Array.from({ length: 330 }, (_, j) => `w${i}x${j}`).join(" ");
    const openers = Array.from({ length: 512 }, (_, i) => words(i).slice(0, 2000));
    const tokenize = vi.spyOn(engine.model, "tokenize");
    try {
      await expect(pairs(1, openers)).rejects.toMatchObject({ param: "personas.openers" });
      expect(tokenize.mock.calls.length).toBeLessThan(100);
    } finally {
      tokenize.mockRestore();
    }
  });

  it("refuses texts of too many tokens, counted before the context is even asked", async () => {
    // A 1000-token opener: its prefixes alone come to 500,500 tokens, on both sides of each pair.
    const longOpener = "a ".repeat(1000);
    await expect(pairs(20, [longOpener])).rejects.toMatchObject({
      code: "invalid_request",
      param: "personas.openers",
      message: expect.stringContaining(`the limit is ${MAX_EXTRACTION_TOKENS}`),
    });
  });
});

describe("explicit pairs", () => {
  it("are raw text with BOS, as the model asks", async () => {
    const pairs = await pairDataset(engine, [{ positive: "I love it", negative: "I hate it" }]);
    expect(pairs).toEqual([
      {
        positive: engine.model.tokenize("I love it"),
        negative: engine.model.tokenize("I hate it"),
      },
    ]);
    expect(pairs[0]?.positive[0]).toBe(engine.model.metadata.specialTokens.bos.id);
  });
});

describe("bad datasets", () => {
  const personas = (spec: Partial<PersonaSpec>) => () =>
    personaDataset(engine, { positive: ["happy"], negative: ["sad"], openers: ["Hi"], ...spec });
  const long = "word ".repeat(80);

  it.each([
    [
      "too many pairs",
      personas({
        positive: Array(MAX_EXTRACTION_PAIRS).fill("happy"),
        negative: Array(MAX_EXTRACTION_PAIRS).fill("sad"),
        openers: ["Hi there"],
      }),
      "invalid_request",
      "personas.openers",
    ],
    [
      "a prompt past the context",
      personas({ positive: [long] }),
      "context_overflow",
      "personas.positive[0]",
    ],
    [
      "an opener past the context",
      personas({ openers: [long] }),
      "context_overflow",
      "personas.openers",
    ],
    [
      "a text past the context",
      () => pairDataset(engine, [{ positive: long, negative: "b" }]),
      "context_overflow",
      "pairs[0].positive",
    ],
  ])("%s", async (_, run, code, param) => {
    await expect(run()).rejects.toMatchObject({ name: "EngineError", code, param });
  });
});
