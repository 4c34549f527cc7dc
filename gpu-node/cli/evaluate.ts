// steer eval: what a control vector does at each multiplier, on this machine: the trait and
// coherence scores of its answers, MMLU accuracy (from --mmlu-dir or STEER_MMLU_DIR), KL, the
// recommended range and the anti-steerable rate. The same evaluation a GPU node runs as a job, its
// settings checked by the same schema and summarized by the same code as the edge's.
import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import { mmluSet } from "../../shared/evaluation/mmlu.ts";
import type { EvaluationResult } from "../../shared/evaluation/result.ts";
import {
  DEFAULT_MMLU_QUESTIONS,
  evaluationMarginsFields,
  marginsOf,
} from "../../shared/evaluation/settings.ts";
import { summarizeEvaluation } from "../../shared/evaluation/summary.ts";
import { nodeEvaluationRequestSchema } from "../../shared/node-api/evaluations.ts";
import { Engine } from "../engine/engine.ts";
import { BaseModelJudge } from "../evaluation/base-model-judge.ts";
import { EndpointJudge } from "../evaluation/endpoint-judge.ts";
import { type EvaluationProgress, planEvaluation, runEvaluation } from "../evaluation/evaluate.ts";
import { readMmluSplit } from "../evaluation/mmlu-folder.ts";
import { endpointOf, JUDGE_OPTIONS, numberOption, parse, required, UsageError } from "./args.ts";
import { readControlVector } from "./generate.ts";

export const EVAL_OPTIONS = {
  model: { type: "string" },
  "control-vector": { type: "string" },
  trait: { type: "string" },
  description: { type: "string" },
  multipliers: { type: "string" },
  prompts: { type: "string" },
  "max-tokens": { type: "string" },
  "mmlu-dir": { type: "string" },
  "mmlu-questions": { type: "string" },
  shots: { type: "string" },
  "max-coherence-drop": { type: "string" },
  "max-mmlu-drop": { type: "string" },
  out: { type: "string" },
  ...JUDGE_OPTIONS,
} as const;

const marginsSchema = z.strictObject(evaluationMarginsFields);

export async function evaluate(argv: string[]): Promise<void> {
  const options = parse(argv, EVAL_OPTIONS);
  const modelPath = required(options.model, "--model");
  const vectorFile = required(options["control-vector"], "--control-vector");
  const settings = checked(nodeEvaluationRequestSchema, {
    vector_id: "0".repeat(64), // the file stands for the node's stored vector
    trait: required(options.trait, "--trait"),
    description: options.description,
    multipliers: options.multipliers?.split(",").map((m) => numberOption(m, "--multipliers")),
    prompts: options.prompts === undefined ? undefined : await readLines(options.prompts),
    max_tokens: numberOption(options["max-tokens"], "--max-tokens"),
  });
  const margins = marginsOf(
    checked(marginsSchema, {
      max_coherence_drop: numberOption(options["max-coherence-drop"], "--max-coherence-drop"),
      max_mmlu_drop: numberOption(options["max-mmlu-drop"], "--max-mmlu-drop"),
    }),
  );
  const endpoint = endpointOf(options, "judge");
  const mmluDir = options["mmlu-dir"] ?? process.env.STEER_MMLU_DIR;
  const questions =
    numberOption(options["mmlu-questions"], "--mmlu-questions") ?? DEFAULT_MMLU_QUESTIONS;
  const shots = numberOption(options.shots, "--shots") ?? 0;
  const mmlu = mmluDir && questions > 0 ? await readMmlu(mmluDir, questions, shots) : undefined;
  const vector = await readControlVector(vectorFile);

  const engine = await Engine.load(modelPath);
  try {
    const judge = endpoint ? new EndpointJudge(endpoint) : new BaseModelJudge(engine);
    const plan = planEvaluation(
      engine,
      judge,
      checked(nodeEvaluationRequestSchema, { ...settings, mmlu }),
      vector,
    );
    const measurements = await runEvaluation(engine, plan, { onProgress: showProgress() });
    const mmluNote = mmluDir
      ? "no MMLU questions were asked"
      : "no MMLU data: give --mmlu-dir or set STEER_MMLU_DIR";
    const result = summarizeEvaluation({ measurements, margins, mmluNote });
    if (options.out) await writeFile(options.out, `${JSON.stringify(result, null, 2)}\n`);
    printResult(result, options.out);
  } finally {
    await engine.close();
  }
}

/** `value` as `schema` parses it; a problem names the setting, as a usage error. */
function checked<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(`${issue?.path.join(".") || "settings"}: ${issue?.message}`);
}

/** Progress on one rewritten line in a terminal; elsewhere a line as each stage starts. */
function showProgress() {
  let stage: string | null = null;
  return (progress: EvaluationProgress) => {
    const text = `${progress.stage}: ${progress.done}/${progress.total}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${text}   ${progress.done === progress.total ? "\n" : ""}`);
    } else if (progress.stage !== stage) {
      process.stderr.write(`${text}\n`);
    }
    stage = progress.stage;
  };
}

async function readLines(file: string): Promise<string[]> {
  return (await readFile(file, "utf8")).split("\n").filter((line) => line.trim() !== "");
}

async function readMmlu(directory: string, count: number, shots: number) {
  const test = await readMmluSplit(directory, "test");
  if (test.size === 0)
    throw new UsageError(`no MMLU test files (test/<subject>_test.csv) in ${directory}`);
  return mmluSet(test, await readMmluSplit(directory, "dev"), count, shots);
}

function printResult(result: EvaluationResult, out: string | undefined): void {
  const rows = result.multipliers.map((row) => [
    row.multiplier.toString(),
    `${row.trait_score.mean.toFixed(2)} [${row.trait_score.low.toFixed(2)}, ${row.trait_score.high.toFixed(2)}]`,
    row.coherence.mean.toFixed(2),
    row.mmlu_accuracy === null ? "-" : row.mmlu_accuracy.toFixed(3),
    row.kl.toFixed(4),
  ]);
  const header = ["multiplier", "trait score [95% CI]", "coherence", "MMLU", "KL"];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  const { min, max, limited_by } = result.recommended;
  process.stdout.write(
    [
      line(header),
      ...rows.map(line),
      "",
      `recommended: ${min} to ${max} (limited by ${limited_by.min} below, ${limited_by.max} above)`,
      `anti-steerable prompts: ${(result.anti_steerable_rate * 100).toFixed(0)}%`,
      `judge: ${result.judge.model} (${result.judge.kind}), scoring "${result.judge.descriptor}"`,
      ...(result.mmlu.note ? [`MMLU: ${result.mmlu.note}`] : []),
      ...(out ? [`answers and all: ${out}`] : []),
      "",
    ].join("\n"),
  );
}
