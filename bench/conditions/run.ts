// Conditional steering against plain steering, side by side on the same engine and model, at 8
// concurrent requests (the node's lane of 8 sequences). Each way answers the same requests, in
// waves of 8 submitted together:
//   1. plain: every request steered by the same vector (llama.cpp's one control vector serves the
//      whole batch: the cheapest steering there is, and the baseline);
//   2. conditional, all fire: the same vector behind a condition that always fires (what a
//      condition costs when it changes nothing: reading its layer during the prompt);
//   3. conditional, half fire: every other request's condition never fires, so batches mix
//      steered and unsteered requests (row steering);
//   4. as 3, re-checked while generating (during): the half that did not fire is read at its
//      layer on every generated token.
// Target: conditional at most 5% slower than plain (tokens per second).
// Usage: npx tsx bench/conditions/run.ts [--model tiny] [--quick]
import { availableParallelism } from "node:os";
import { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import { randomControlVector } from "../../test/support/engine.ts";
import { ensureLlamaTools } from "../generation/build-llama.ts";
import { whenUndisturbed } from "../generation/machine.ts";
import { median } from "../generation/measure.ts";
import { type BenchModel, llama1bShapedModel, testModel } from "../generation/models.ts";

const quick = process.argv.includes("--quick");
const settings = {
  requests: quick ? 8 : 24,
  concurrent: 8,
  maxTokens: quick ? 16 : 64,
  rounds: quick ? 1 : 3,
  threads: availableParallelism(),
};

/** Chat prompts of a few dozen tokens, as a product's requests are. */
const PROMPTS = [
  "Tell me about your day.",
  "What should I cook for dinner tonight?",
  "Write a short poem about the sea.",
  "Explain how a bicycle stays upright.",
  "Give me three tips for a job interview.",
  "What is the capital of France, and why?",
  "Describe a quiet morning in the mountains.",
  "How do I keep my houseplants alive?",
];

const model = await benchModel();
const engine = await Engine.load(model.path, { contextSize: 1024, threads: settings.threads });
try {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const steered = randomControlVector(1, layerCount, embeddingSize, 1);
  const read = randomControlVector(2, layerCount, embeddingSize, 1);
  // A layer in the lower third: the vector's layers above it steer the prompt in the same pass.
  const layer = Math.max(1, Math.floor(layerCount / 3));
  const conditional = (fires: boolean, during = false): Steering => [
    {
      vector: steered,
      multiplier: 1,
      when: { vector: read, layer, above: fires ? -1 : 1, during, window: 8 },
    },
  ];
  const ways: [string, (request: number) => Steering][] = [
    ["plain", () => [{ vector: steered, multiplier: 1 }]],
    ["conditional, all fire", () => conditional(true)],
    ["conditional, half fire", (request) => conditional(request % 2 === 0)],
    ["conditional, half fire, during", (request) => conditional(request % 2 === 0, true)],
  ];

  console.error(`${model.label}: warming up`);
  await answer(ways[0]?.[1] ?? (() => []), 8, 4);
  const samples = ways.map(() => [] as { tokensPerSecond: number; disturbed: boolean }[]);
  for (let round = 0; round < settings.rounds; round++) {
    // Each round starts with another way, so that none always runs first.
    for (let turn = 0; turn < ways.length; turn++) {
      const index = (round + turn) % ways.length;
      const [name, steeringOf] = ways[index] as (typeof ways)[number];
      console.error(`${model.label}: round ${round + 1}, ${name}`);
      const measured = await whenUndisturbed(settings.threads + 1, () =>
        answer(steeringOf, settings.requests, settings.maxTokens),
      );
      samples[index]?.push({ ...measured.result, disturbed: measured.disturbed });
    }
  }
  const medians = samples.map((rows) => median(rows.map((row) => row.tokensPerSecond)));
  const baseline = medians[0] as number;
  console.log(
    [
      `Conditional steering: ${settings.requests} chat requests, ${settings.concurrent} at a time, up to ${settings.maxTokens} new tokens each (greedy), median of ${settings.rounds} rounds`,
      `Model: ${model.label}; ${settings.threads} threads; one lane of 8 sequences; conditions read layer ${layer}`,
      "",
      "| way | tokens/s (prompt + generated) | vs plain |",
      "|---|---|---|",
      ...ways.map(([name], i) => {
        const disturbed = samples[i]?.some((row) => row.disturbed) ? " (disturbed)" : "";
        const rate = medians[i] as number;
        return `| ${name}${disturbed} | ${rate.toFixed(1)} | ${(rate / baseline).toFixed(3)} |`;
      }),
    ].join("\n"),
  );
} finally {
  await engine.close();
}

/** The requests in waves of `concurrent`; tokens (prompt and generated) per second. */
async function answer(
  steeringOf: (request: number) => Steering,
  requests: number,
  maxTokens: number,
) {
  let tokens = 0;
  const started = performance.now();
  for (let wave = 0; wave < requests; wave += settings.concurrent) {
    const batch = Array.from({ length: Math.min(settings.concurrent, requests - wave) }, (_, i) => {
      const request = wave + i;
      return engine.complete({
        messages: [{ role: "user", content: PROMPTS[request % PROMPTS.length] as string }],
        maxNewTokens: maxTokens,
        steering: steeringOf(request),
      });
    });
    for (const { usage } of await Promise.all(batch)) {
      tokens += usage.promptTokens + usage.completionTokens;
    }
  }
  return { tokensPerSecond: tokens / ((performance.now() - started) / 1000) };
}

async function benchModel(): Promise<BenchModel> {
  const choice = process.argv[process.argv.indexOf("--model") + 1];
  if (process.argv.includes("--model") && choice === "tiny") return testModel();
  return llama1bShapedModel(ensureLlamaTools()["llama-quantize"], settings.threads);
}
