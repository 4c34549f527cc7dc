// An evaluation's answers, 9 multipliers x 20 prompts x 64 tokens, generated three ways side by
// side on the same engine and model:
//   1. batched: every multiplier's answers submitted at once (the evaluation's way: row steering
//      lets differently steered answers share each decode);
//   2. one multiplier at a time: each multiplier's 20 answers together, the multipliers in turn
//      (what llama.cpp's one control vector per context allows; the baseline);
//   3. one answer at a time (with --sequential): nothing batched.
// The judge, MMLU and KL stages run the same for every way, so only the answers are timed.
// Target: batched at least 3x faster than one multiplier at a time.
// Usage: npx tsx bench/evaluation/run.ts [--model tiny] [--quick] [--sequential] [--sequences N]
//   --sequences: answers decoded together (the engine's sequences per lane; the node's default 8).
//   Batching multipliers only pays where a wider decode costs little more than a narrow one.
import { availableParallelism } from "node:os";
import { Engine } from "../../gpu-node/engine/engine.ts";
import { BaseModelJudge } from "../../gpu-node/evaluation/base-model-judge.ts";
import {
  type EvaluationPlan,
  generateAnswers,
  planEvaluation,
  type RunOptions,
} from "../../gpu-node/evaluation/evaluate.ts";
import { randomControlVector } from "../../test/support/engine.ts";
import { ensureLlamaTools } from "../generation/build-llama.ts";
import { whenUndisturbed } from "../generation/machine.ts";
import { type BenchModel, llama1bShapedModel, testModel } from "../generation/models.ts";

const quick = process.argv.includes("--quick");
const settings = {
  multipliers: [-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2], // and 0, which every evaluation adds
  prompts: quick ? 4 : 20,
  maxTokens: quick ? 16 : 64,
  threads: availableParallelism(),
  contextSize: 1024,
  sequences: sequencesOption(),
};

const model = await benchModel();
// The node's own engine settings (serve.ts) but for the lane's width: one lane.
const engine = await Engine.load(model.path, {
  contextSize: settings.contextSize,
  threads: settings.threads,
  sequencesPerLane: settings.sequences,
});
try {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const plan = planEvaluation(
    engine,
    new BaseModelJudge(engine),
    {
      vector_id: "0".repeat(64),
      trait: "bench",
      multipliers: settings.multipliers,
      max_tokens: settings.maxTokens,
    },
    randomControlVector(7, layerCount, embeddingSize, 1),
  );
  plan.prompts = plan.prompts.slice(0, settings.prompts);
  const ways: [string, Way][] = [
    ["batched", (p, options) => generateAnswers(engine, p, options)],
    ["one multiplier at a time", oneMultiplierAtATime],
  ];
  if (process.argv.includes("--sequential")) ways.push(["one answer at a time", oneAnswerAtATime]);

  console.error(`${model.label}: warming up`);
  await generateAnswers(engine, {
    ...plan,
    multipliers: [1],
    prompts: plan.prompts.slice(0, 2),
    maxTokens: 4,
  });
  const rows: { name: string; seconds: number; tokens: number; disturbed: boolean }[] = [];
  for (const [name, run] of ways) {
    console.error(`${model.label}: ${name}`);
    const measured = await whenUndisturbed(settings.threads + 2, async () => {
      let tokens = 0;
      const started = performance.now();
      await run(plan, { onUsage: (_prompt, completion) => (tokens += completion) });
      return { seconds: (performance.now() - started) / 1000, tokens };
    });
    rows.push({ name, ...measured.result, disturbed: measured.disturbed });
  }
  const baseline = rows[1]?.seconds as number;
  const answers = plan.multipliers.length * plan.prompts.length;
  console.log(
    [
      `Evaluation answers: ${plan.multipliers.length} multipliers x ${plan.prompts.length} prompts x up to ${plan.maxTokens} tokens (${answers} answers, greedy)`,
      `Model: ${model.label}; ${settings.threads} threads; one lane of ${settings.sequences} sequences`,
      "",
      "| way | seconds | answer tokens/s | speed-up vs one multiplier at a time |",
      "|---|---|---|---|",
      ...rows.map(
        (row) =>
          `| ${row.name}${row.disturbed ? " (disturbed)" : ""} | ${row.seconds.toFixed(1)} | ${(row.tokens / row.seconds).toFixed(1)} | ${(baseline / row.seconds).toFixed(2)} |`,
      ),
    ].join("\n"),
  );
} finally {
  await engine.close();
}

/** A way to make the plan's answers. */
type Way = (plan: EvaluationPlan, options: RunOptions) => Promise<unknown>;

/** Each multiplier's answers together, one multiplier after another. */
async function oneMultiplierAtATime(plan: EvaluationPlan, options: RunOptions): Promise<void> {
  for (const multiplier of plan.multipliers) {
    await generateAnswers(engine, { ...plan, multipliers: [multiplier] }, options);
  }
}

/** Every answer alone. */
async function oneAnswerAtATime(plan: EvaluationPlan, options: RunOptions): Promise<void> {
  for (const multiplier of plan.multipliers) {
    for (const prompt of plan.prompts) {
      await generateAnswers(
        engine,
        { ...plan, multipliers: [multiplier], prompts: [prompt] },
        options,
      );
    }
  }
}

function sequencesOption(): number {
  const at = process.argv.indexOf("--sequences");
  if (at < 0) return 8;
  const sequences = Number(process.argv[at + 1]);
  if (!Number.isInteger(sequences) || sequences < 1) throw new Error("--sequences: a whole number");
  return sequences;
}

async function benchModel(): Promise<BenchModel> {
  const choice = process.argv[process.argv.indexOf("--model") + 1];
  if (process.argv.includes("--model") && choice === "tiny") return testModel();
  return llama1bShapedModel(ensureLlamaTools()["llama-quantize"], settings.threads);
}
