// Contender 3: llama.cpp's own llama-bench, built from source for this CPU (build-llama.ts).
// It times bare decodes of random tokens: no tokenizer, no sampler, no JavaScript. Its prompt test
// is one batch of promptTokens tokens; its generation test decodes generatedTokens tokens one by
// one from an empty cache. Like the other contenders, one warm-up run, then one measured run.
import { execFileAsync } from "../exec.ts";
import type { Measurement } from "../measure.ts";
import type { BenchModel } from "../models.ts";
import type { Workload } from "../workload.ts";
import { CONTENDER } from "./names.ts";

/** The fields of llama-bench's JSON output that the report needs. */
interface LlamaBenchTest {
  n_prompt: number;
  n_gen: number;
  samples_ts: number[];
}

export async function measureLlamaBench(
  llamaBench: string,
  model: BenchModel,
  workload: Workload,
): Promise<Measurement> {
  const args = [
    ["--model", model.path],
    ["--n-prompt", workload.promptTokens],
    ["--n-gen", workload.generatedTokens],
    ["--threads", workload.threads],
    ["--batch-size", workload.batchSize],
    ["--ubatch-size", workload.batchSize],
    ["--repetitions", 1],
    ["--output", "json"],
  ].flat();
  const tests = JSON.parse(await execFileAsync(llamaBench, args.map(String))) as LlamaBenchTest[];
  const samples = (test: LlamaBenchTest | undefined) => test?.samples_ts ?? [];
  return {
    name: CONTENDER.llamaBench,
    promptTokensPerSecond: samples(tests.find((test) => test.n_gen === 0)),
    generatedTokensPerSecond: samples(tests.find((test) => test.n_prompt === 0)),
    notes: [],
  };
}
