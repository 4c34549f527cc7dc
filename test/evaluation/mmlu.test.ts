// MMLU: the release's CSV files read, a subset spread over the subjects chosen the same way each
// time, the standard prompt, and the answer read from the letters' logits, checked against a plain
// float64 forward pass of the test model (test/reference) on a few real questions.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import {
  letterTokens,
  mmluAnswers,
  mmluPrompt,
  mmluPromptTokens,
} from "../../gpu-node/evaluation/mmlu.ts";
import { readMmluSplit } from "../../gpu-node/evaluation/mmlu-folder.ts";
import {
  MMLU_LETTERS,
  type MmluQuestion,
  mmluSet,
  parseMmluCsv,
  parseMmluFileName,
  selectMmluQuestions,
} from "../../shared/evaluation/mmlu.ts";
import {
  loadReferenceModelFile,
  type ReferenceModel,
  referenceForward,
} from "../reference/index.ts";
import { loadTestEngine, repoRoot, testModelPath } from "../support/engine.ts";
import { readPlanted, summedDirections } from "../support/planted.ts";

/** The team's copy of MMLU, beside the checkout (never in the repository). */
const MMLU_DIR = path.resolve(repoRoot, "../shared/data/mmlu");

/** Reads a split of the team's copy, as `steer eval --mmlu-dir` does. */
const readSplit = (split: "test" | "dev") => readMmluSplit(MMLU_DIR, split);

describe("the release's files", () => {
  it("are read as RFC 4180 CSV: quoted commas, quotes and line breaks", () => {
    const csv = 'plain,a,b,c,d,A\n"with, comma","say ""hi""","two\nlines",c,d,C\r\nlast,1,2,3,4,D';
    expect(parseMmluCsv("demo", csv)).toEqual([
      { subject: "demo", question: "plain", choices: ["a", "b", "c", "d"], answer: "A" },
      {
        subject: "demo",
        question: "with, comma",
        choices: ['say "hi"', "two\nlines", "c", "d"],
        answer: "C",
      },
      { subject: "demo", question: "last", choices: ["1", "2", "3", "4"], answer: "D" },
    ]);
    expect(() => parseMmluCsv("demo", "q,a,b,c,d,E\n")).toThrow(/row 1 of demo/);
    expect(parseMmluFileName("high_school_physics_dev.csv")).toEqual({
      subject: "high_school_physics",
      split: "dev",
    });
    expect(parseMmluFileName("README.md")).toBeNull();
  });

  it("hold every subject of the real data", async () => {
    const test = await readSplit("test");
    expect(test.size).toBe(57);
    expect([...test.values()].reduce((n, q) => n + q.length, 0)).toBe(14042);
    const dev = await readSplit("dev");
    expect([...dev.values()].every((questions) => questions.length === 5)).toBe(true);
  });
});

describe("the subset", () => {
  it("is spread over the subjects and the same every time", async () => {
    const test = await readSplit("test");
    const chosen = selectMmluQuestions(test, 100);
    expect(chosen).toHaveLength(100);
    const subjects = new Set(chosen.map((q) => q.subject));
    expect(subjects.size).toBe(57); // every subject once before any twice
    expect(selectMmluQuestions(test, 100)).toEqual(chosen);
    expect(selectMmluQuestions(test, 10)).toEqual(chosen.slice(0, 10));
    expect(selectMmluQuestions(new Map([["one", chosen.slice(0, 3)]]), 5)).toHaveLength(3);
    // With shots, each chosen subject's first dev examples go along, in order.
    const dev = await readSplit("dev");
    const set = mmluSet(test, dev, 3, 2);
    expect(set.questions).toEqual(chosen.slice(0, 3));
    expect(set.examples).toEqual(
      chosen.slice(0, 3).flatMap((q) => dev.get(q.subject)?.slice(0, 2)),
    );
  });
});

describe("asking the model", () => {
  let engine: Engine;
  let reference: ReferenceModel;
  let questions: MmluQuestion[];
  let dev: Map<string, MmluQuestion[]>;

  beforeAll(async () => {
    // An F32 cache and plain attention keep llama.cpp within float32 rounding of the reference.
    engine = await loadTestEngine({
      cacheTypeK: "f32",
      cacheTypeV: "f32",
      flashAttention: false,
      contextSize: 2048,
    });
    reference = await loadReferenceModelFile(testModelPath);
    questions = selectMmluQuestions(await readSplit("test"), 4);
    dev = await readSplit("dev");
  });
  afterAll(() => engine.close());

  it("writes the standard prompt, worked examples first", () => {
    const question: MmluQuestion = {
      subject: "high_school_physics",
      question: "Which is a vector?",
      choices: ["Mass", "Speed", "Velocity", "Time"],
      answer: "C",
    };
    const example: MmluQuestion = { ...question, question: "Which is a scalar?", answer: "A" };
    expect(mmluPrompt(question, [example])).toBe(
      "The following are multiple choice questions (with answers) about high school physics.\n\n" +
        "Which is a scalar?\nA. Mass\nB. Speed\nC. Velocity\nD. Time\nAnswer: A\n\n" +
        "Which is a vector?\nA. Mass\nB. Speed\nC. Velocity\nD. Time\nAnswer:",
    );
  });

  it("reads the letter the model rates highest, as a float64 forward pass computes it, steered or not", async () => {
    const set = { shots: 1, questions, examples: [...dev.values()].flat() };
    const prompts = mmluPromptTokens(engine, set);
    const letters = letterTokens(engine);
    const planted = await readPlanted(testModelPath, engine.model.metadata.layerCount);
    for (const steering of [[], [{ vector: planted.cheerful, multiplier: 0.5 }]]) {
      const answers = await mmluAnswers(engine, prompts, steering, {});
      const expected = prompts.map((tokens) => {
        const { logits } = referenceForward(reference, tokens, {
          controlVector: summedDirections(steering),
          logitsFor: "last",
        });
        const last = logits[0] as Float64Array;
        const scores = letters.map((token) => last[token] as number);
        return MMLU_LETTERS[scores.indexOf(Math.max(...scores))];
      });
      expect(answers).toEqual(expected);
    }
    // One worked example from the question's own subject precedes it.
    const first = engine.model.detokenize(prompts[0] as number[]);
    expect(first).toContain(`${dev.get(questions[0]?.subject as string)?.[0]?.question}`);
  });
});
