// Text-generation speed, side by side on the same model files and settings:
//   1. Steer's engine, unsteered        2. the engine, steered on every layer
//   3. llama.cpp's llama-bench, built from source for this CPU
//   4. node-llama-cpp's LlamaCompletion
// Usage: npx tsx bench/generation/run.ts [--quick]
// Builds llama.cpp's tools and the models on first use (see build-llama.ts, models.ts).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureLlamaTools } from "./build-llama.ts";
import { runWorker } from "./child.ts";
import { measureLlamaBench } from "./contenders/llama-bench.ts";
import { whenUndisturbed } from "./machine.ts";
import { type Measurement, mergeRounds, turnOrder } from "./measure.ts";
import { type BenchModel, llama1bShapedModel, testModel } from "./models.ts";
import { cacheDir } from "./paths.ts";
import { formatNotes, formatTable, formatTargets, type ModelResults } from "./report.ts";
import { workload } from "./workload.ts";

/** Measures one contender once on a model (some contenders yield two rows). */
type Contender = (model: BenchModel, round: number) => Promise<Measurement[]>;

const settings = workload(process.argv.includes("--quick"));
const tools = ensureLlamaTools();
const models = [
  await testModel(),
  await llama1bShapedModel(tools["llama-quantize"], settings.threads),
];
const field = contenders();

const results: ModelResults[] = [];
for (const model of models) {
  const rounds: Measurement[][] = [];
  for (let round = 0; round < settings.rounds; round++) {
    console.error(`${model.label}: round ${round + 1} of ${settings.rounds}`);
    rounds.push(await runRound(field, model, round));
  }
  results.push({ model, measurements: mergeRounds(rounds) });
}
// Every sample, for a closer look than the table's medians.
const rawResults = path.join(cacheDir, "bench-generation.json");
writeFileSync(rawResults, JSON.stringify({ settings, results }, null, 2));
console.error(`Samples written to ${rawResults}`);
console.log(describeRun());
console.log();
console.log(formatTable(results));
console.log();
console.log(formatTargets(results));
const notes = formatNotes(results);
if (notes) console.log(`\n${notes}`);

function contenders(): Contender[] {
  const worker =
    (file: string): Contender =>
    (model, round) =>
      runWorker<Measurement[]>(new URL(`./contenders/${file}`, import.meta.url), {
        modelPath: model.path,
        workload: settings,
        round,
      });
  return [
    worker("engine.ts"),
    async (model) => [await measureLlamaBench(tools["llama-bench"], model, settings)],
    worker("node-llama-cpp.ts"),
  ];
}

/**
 * Every contender once, one after the other (never two at once: each gets every core), starting
 * with a different one each round so that none always runs first.
 */
async function runRound(field: Contender[], model: BenchModel, round: number) {
  const measurements: Measurement[][] = [];
  for (const index of turnOrder(field.length, round)) {
    const contender = field[index] as Contender;
    // The run's own threads: llama.cpp's, and the JavaScript thread that feeds them.
    const { result, disturbed } = await whenUndisturbed(settings.threads + 1, () =>
      contender(model, round),
    );
    if (disturbed) for (const m of result) m.notes.push("other processes were busy during a run");
    measurements[index] = result;
  }
  return measurements.flat();
}

function describeRun(): string {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  return [
    `Date: ${new Date().toISOString()}`,
    `CPU: ${cpu ?? "unknown"}, ${settings.threads} threads for every contender`,
    `Prompt: ${settings.promptTokens} tokens; generation: ${settings.generatedTokens} tokens; ` +
      `batch ${settings.batchSize}; context ${settings.contextSize}; ` +
      `median of ${settings.rounds} rounds, each run after a warm-up`,
  ].join("\n");
}
