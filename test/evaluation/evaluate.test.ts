// An evaluation of the test model's planted vector through the real path: answers decoded in shared
// batches, the base model as judge (its score tokens planted to follow the context's trait:
// gpu-node/test-model/weights.ts, point 5), KL on neutral text, progress and usage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { BaseModelJudge } from "../../gpu-node/evaluation/base-model-judge.ts";
import {
  type EvaluationProgress,
  planEvaluation,
  runEvaluation,
} from "../../gpu-node/evaluation/evaluate.ts";
import { expectedScore } from "../../gpu-node/evaluation/judge.ts";
import { DEFAULT_EVALUATION_PROMPTS } from "../../gpu-node/evaluation/prompts.ts";
import { DEFAULT_OPENERS } from "../../gpu-node/extraction/openers.ts";
import { marginsOf } from "../../shared/evaluation/settings.ts";
import { summarizeEvaluation } from "../../shared/evaluation/summary.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import { countWords, type Planted, readPlanted } from "../support/planted.ts";

let engine: Engine;
let planted: Planted;
const VECTOR_ID = "0".repeat(64);

beforeAll(async () => {
  engine = await loadTestEngine({ contextSize: 1024, batchSize: 256 });
  planted = await readPlanted(testModelPath, engine.model.metadata.layerCount);
});
afterAll(() => engine.close());

function plan(settings: { multipliers?: number[]; prompts?: string[]; max_tokens?: number }) {
  return planEvaluation(
    engine,
    new BaseModelJudge(engine),
    { vector_id: VECTOR_ID, trait: "cheerful", ...settings },
    planted.cheerful,
  );
}

describe("the judge", () => {
  it("scores the expectation over the score tokens, renormalised", () => {
    expect(expectedScore((score) => (score === 7 ? 0 : undefined))).toBe(7);
    expect(
      expectedScore((score) => (score === 2 || score === 4 ? Math.log(0.3) : undefined)),
    ).toBeCloseTo(3, 12);
    expect(
      expectedScore((score) => (score === 10 ? Math.log(3) : score === 0 ? 0 : undefined)),
    ).toBeCloseTo(7.5, 12);
    expect(expectedScore(() => undefined)).toBeNull();
  });
});

describe("an evaluation of the planted vector", () => {
  it("shows the trait score rising with the multiplier, and KL growing from 0 at 0", async () => {
    const progress: EvaluationProgress[] = [];
    let usage = { prompt: 0, completion: 0 };
    const measurements = await runEvaluation(
      engine,
      plan({
        multipliers: [-1, -0.5, 0.5, 1],
        prompts: DEFAULT_EVALUATION_PROMPTS.slice(0, 3),
        max_tokens: 8,
      }),
      {
        onProgress: (p) => progress.push(p),
        onUsage: (prompt, completion) => {
          usage = { prompt: usage.prompt + prompt, completion: usage.completion + completion };
        },
      },
    );
    const result = summarizeEvaluation({ measurements, margins: marginsOf({}) });
    const scores = result.multipliers.map((row) => row.trait_score.mean);
    expect(result.multipliers.map((row) => row.multiplier)).toEqual([-1, -0.5, 0, 0.5, 1]);
    // Gloomy answers score low, cheerful ones high, the unsteered gibberish in between.
    expect(scores[0]).toBeLessThan(3);
    expect(scores[2]).toBeGreaterThan(3.5);
    expect(scores[2]).toBeLessThan(7.5);
    expect(scores[4]).toBeGreaterThan(8);
    // Saturated multipliers (-1 and -0.5 both write "upset") score alike, to rounding.
    for (let i = 1; i < scores.length; i++)
      expect(scores[i]).toBeGreaterThan((scores[i - 1] as number) - 1e-3);
    expect(result.anti_steerable_rate).toBe(0);
    // The answers are what steering writes.
    const cheerful = result.multipliers[4]?.answers ?? [];
    for (const answer of cheerful)
      expect(countWords(answer.text, planted.concept.positiveWords)).toBeGreaterThan(4);
    // KL: none unsteered, more at 1 than at 0.5, either sign.
    const kl = result.multipliers.map((row) => row.kl);
    expect(kl[2]).toBe(0);
    expect(kl[3]).toBeGreaterThan(0.1);
    expect(kl[4]).toBeGreaterThan(kl[3] as number);
    expect(kl[1]).toBeGreaterThan(0.1);
    // Every step reported, ending at the total; tokens of every stage counted.
    expect(progress.at(-1)).toMatchObject({ stage: "kl", done: 5 * 3 * 3 + 5 });
    expect(progress.at(-1)?.total).toBe(progress.at(-1)?.done);
    expect(new Set(progress.map((p) => p.stage))).toEqual(new Set(["generating", "judging", "kl"]));
    expect(usage.completion).toBe(5 * 3 * 8);
    expect(usage.prompt).toBeGreaterThan(5 * 3 * 2 * 100);
  });

  it("answers with a built-in held-out set of prompts, none of them a training opener", () => {
    const { prompts } = plan({});
    expect(prompts).toEqual([...DEFAULT_EVALUATION_PROMPTS]);
    expect(prompts.length).toBeGreaterThanOrEqual(20);
    const openers = new Set(DEFAULT_OPENERS.map((opener) => opener.toLowerCase()));
    for (const prompt of prompts) {
      for (const opener of openers) expect(prompt.toLowerCase().startsWith(opener)).toBe(false);
    }
  });

  it("refuses a prompt whose answer and judge instruction do not fit the context, naming it", () => {
    const long = "word ".repeat(1000);
    expect(() => plan({ prompts: ["fine", long], max_tokens: 8 })).toThrow(
      expect.objectContaining({ status: 400, param: "prompts[1]" }),
    );
    // A descriptor too long for any prompt is named itself.
    const judgeOf = new BaseModelJudge(engine);
    const described = { vector_id: VECTOR_ID, trait: "x", description: long, prompts: ["fine"] };
    expect(() => planEvaluation(engine, judgeOf, described, planted.cheerful)).toThrow(
      expect.objectContaining({ status: 400, param: "description" }),
    );
  });

  it("stops when cancelled", async () => {
    const abort = new AbortController();
    const run = runEvaluation(engine, plan({ multipliers: [1], max_tokens: 64 }), {
      signal: abort.signal,
    });
    abort.abort();
    await expect(run).rejects.toThrow();
  });
});
