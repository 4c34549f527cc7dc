// steer extract: a control vector from contrastive examples, written as a control-vector GGUF,
// with the per-layer report users choose layers and multipliers by. The examples are checked by
// the same schemas as an extraction request to a GPU node (shared/node-api/extractions.ts).
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { z } from "zod";
import { encodeControlVector } from "../../shared/control-vector.ts";
import {
  EXTRACTION_METHODS,
  pairsSchema,
  personasSchema,
} from "../../shared/node-api/extractions.ts";
import { FIXED_BAND, type LayerSelection } from "../../shared/node-api/layers.ts";
import { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import {
  type PersonaSpec,
  pairDataset,
  personaDataset,
  type TextPair,
} from "../extraction/dataset.ts";
import { type Extraction, extractControlVector } from "../extraction/extract.ts";
import { isExtractionMethod } from "../extraction/methods.ts";
import { required, UsageError } from "./args.ts";

export const EXTRACT_OPTIONS = {
  model: { type: "string" },
  personas: { type: "string" },
  pairs: { type: "string" },
  template: { type: "string" },
  openers: { type: "string" },
  method: { type: "string" },
  layers: { type: "string" },
  out: { type: "string" },
} as const;

export async function extract(argv: string[]): Promise<void> {
  const { options, personaFiles } = parseExtractArgs(argv);
  const modelPath = required(options.model, "--model");
  const out = required(options.out, "--out");
  const method = options.method ?? "pca";
  if (!isExtractionMethod(method))
    throw new UsageError(`--method must be one of ${EXTRACTION_METHODS.join(", ")}`);
  const layers = options.layers === undefined ? undefined : parseLayers(options.layers);
  if ((personaFiles === undefined) === (options.pairs === undefined))
    throw new UsageError("give either --personas POS.txt NEG.txt or --pairs PAIRS.jsonl");
  if (personaFiles === undefined && (options.template ?? options.openers) !== undefined)
    throw new UsageError("--template and --openers go with --personas");

  // The inputs are read before the model loads, so a bad file fails fast.
  const source: { personas: PersonaSpec } | { pairs: TextPair[] } = personaFiles
    ? { personas: await readPersonas(personaFiles, options.template, options.openers) }
    : { pairs: await readPairs(required(options.pairs, "--pairs")) };

  const engine = await Engine.load(modelPath, { lanes: 1, sequencesPerLane: 1 });
  try {
    const pairs =
      "personas" in source
        ? await personaDataset(engine, source.personas)
        : await pairDataset(engine, source.pairs);
    const extraction = await extractControlVector(engine, pairs, {
      method,
      layers,
      onProgress: showProgress,
    });
    await writeOut(out, extraction);
    printReport(extraction, `${method} on ${pairs.length} pairs`, out);
  } finally {
    await engine.close();
  }
}

/** node's parseArgs, plus `--personas POS NEG`: the option's value and the argument after it. */
function parseExtractArgs(argv: string[]) {
  const { values, tokens } = usage(() =>
    parseArgs({
      args: argv,
      options: EXTRACT_OPTIONS,
      strict: true,
      allowPositionals: true,
      tokens: true,
    }),
  );
  const personasAt = tokens.findIndex((t) => t.kind === "option" && t.name === "personas");
  const negativeFile = personasAt === -1 ? undefined : tokens[personasAt + 1];
  for (const token of tokens) {
    if (token.kind === "positional" && token !== negativeFile)
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}`);
  }
  if (values.personas === undefined) return { options: values, personaFiles: undefined };
  if (negativeFile?.kind !== "positional")
    throw new UsageError("--personas takes two files: POS.txt NEG.txt");
  return { options: values, personaFiles: [values.personas, negativeFile.value] as const };
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** "band" (the fixed band), or layers: "3", "2-5", "1,4-6". */
function parseLayers(spec: string): LayerSelection {
  if (spec === FIXED_BAND) return FIXED_BAND;
  return spec.split(",").flatMap((part) => {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match)
      throw new UsageError(
        `--layers takes ${FIXED_BAND}, N, A-B or a comma list, got ${JSON.stringify(spec)}`,
      );
    const first = Number(match[1]);
    const last = Number(match[2] ?? match[1]);
    if (last < first) throw new UsageError(`--layers range ${part} runs backwards`);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/** The persona files (and the openers file), as the request's `personas` would be checked. */
async function readPersonas(
  [positiveFile, negativeFile]: readonly [string, string],
  template: string | undefined,
  openersFile: string | undefined,
): Promise<PersonaSpec> {
  const personas = {
    positive: await readLines(positiveFile),
    negative: await readLines(negativeFile),
    template,
    openers: openersFile === undefined ? undefined : await readLines(openersFile),
  };
  const inputs: Record<string, string> = {
    positive: positiveFile,
    negative: negativeFile,
    template: "--template",
    openers: openersFile ?? "--openers",
  };
  return checked(personasSchema, personas, ([field, index]) => {
    const input = inputs[String(field)] ?? "--personas";
    return typeof index === "number" ? `${input} entry ${index + 1}` : input;
  });
}

/** One entry per non-blank line, trimmed. */
async function readLines(file: string): Promise<string[]> {
  const text = await readInput(file);
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** JSON Lines of {"positive": "...", "negative": "..."}; blank lines are skipped. */
async function readPairs(file: string): Promise<TextPair[]> {
  const lines = (await readInput(file)).split("\n");
  const pairs = lines.flatMap((line, i) => {
    if (line.trim() === "") return [];
    const where = `${file} line ${i + 1}`;
    let pair: unknown;
    try {
      pair = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${where}: ${(error as Error).message}`);
    }
    return [
      checked(pairsSchema.element, pair, ([field]) =>
        field ? `${where}, ${String(field)}` : where,
      ),
    ];
  });
  return checked(pairsSchema, pairs, () => file);
}

/** `value` as `schema` takes it; its first issue is a usage error, `where` naming the input. */
function checked<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: (path: readonly PropertyKey[]) => string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new UsageError(`${where(issue?.path ?? [])}: ${issue?.message ?? "invalid"}`);
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new EngineError("invalid_request", `cannot read ${file}: ${(error as Error).message}`);
  }
}

async function writeOut(file: string, { vector }: Extraction): Promise<void> {
  try {
    await writeFile(file, encodeControlVector(vector));
  } catch (error) {
    throw new EngineError(
      "invalid_request",
      `cannot write ${file}: ${(error as Error).message}`,
      "out",
    );
  }
}

function showProgress(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\rcapturing: ${done}/${total} pairs${done === total ? "\n" : ""}`);
}

function printReport({ report, choice }: Extraction, what: string, file: string): void {
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(10);
  const rows = report.map(
    (layer) =>
      `${String(layer.layer).padStart(5)}  ${percent(layer.separation)}  ${percent(layer.explainedVariance)}  ${layer.meanGap.toFixed(4).padStart(9)}`,
  );
  const scores = (choice.scores ?? []).map(
    (score) =>
      `${String(score.layer).padStart(5)}  ${score.readability.toFixed(3).padStart(11)}  ${percent(score.held_out_accuracy)}  ${percent(score.held_out_explained_variance)}`,
  );
  process.stdout.write(
    [
      `extracted ${what}; wrote ${file} (unit directions: scale them with --control-vector FILE:SCALE)`,
      `layers ${choice.layers.join(",")} by ${choice.by}: ${choice.reason}`,
      ...(scores.length
        ? ["layer  readability   accuracy   explained  (held out)", ...scores]
        : []),
      "layer  separation   explained   mean gap",
      ...rows,
      "",
    ].join("\n"),
  );
}
