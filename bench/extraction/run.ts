// Extraction benchmark: `steer extract` against llama.cpp's `llama-cvector-generator` on the same
// contrastive texts and the tiny test model, whose planted trait direction u is the ground truth.
// Reports wall time, peak memory (RSS high-water mark) and, per layer, the cosine of each produced
// direction with u. Then checks our vector with llama.cpp's own loader: `llama-completion
// --control-vector-scaled` against `steer generate --control-vector`, both greedy.
//
//   npx tsx bench/extraction/run.ts
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import {
  CONCEPT_WORDS,
  ensureTestModel,
  readPlantedConcept,
  TEST_MODEL_SHAPE,
} from "../../gpu-node/test-model/index.ts";
import { parseControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { ensureLlamaTargets } from "../generation/build-llama.ts";
import { cacheDir, repoRoot } from "../generation/paths.ts";

const workDir = path.join(cacheDir, "bench-extraction");
const steer = path.join(repoRoot, "bin/steer.js");
const THREADS = cpus().length;

/** Starts of a reply; each is put after every persona sentence. No backslashes or newlines. */
const OPENERS = [
  "I think",
  "Today",
  "The weather",
  "My friend said",
  "When I woke up",
  "Honestly,",
  "Let me tell you",
  "The best part",
  "At work",
  "My family",
  "This morning",
  "Tonight",
  "The news",
  "Looking back,",
  "Right now",
  "Every day",
  "I remember",
  "The music",
  "After lunch",
  "Our trip",
  "In the garden",
  "Yesterday",
  "The story",
  "So far",
];

interface Run {
  name: string;
  wallS: number;
  peakMiB: number;
  file: string;
}

async function main(): Promise<void> {
  const model = await ensureTestModel();
  const tools = ensureLlamaTargets(["llama-cvector-generator", "llama-completion"] as const);
  const u = readPlantedConcept((await readGgufFile(model)).metadata).direction;
  mkdirSync(workDir, { recursive: true });

  // The same pairs for both tools: persona sentence + opener, raw text (BOS added by both).
  const pairs = CONCEPT_WORDS.positive.flatMap((positive, i) =>
    OPENERS.map((opener) => ({
      positive: `I am a very ${positive} person. ${opener}`,
      negative: `I am a very ${CONCEPT_WORDS.negative[i]} person. ${opener}`,
    })),
  );
  const pairsFile = path.join(workDir, "pairs.jsonl");
  const positiveFile = path.join(workDir, "positive.txt");
  const negativeFile = path.join(workDir, "negative.txt");
  writeFileSync(pairsFile, `${pairs.map((p) => JSON.stringify(p)).join("\n")}\n`);
  writeFileSync(positiveFile, `${pairs.map((p) => p.positive).join("\n")}\n`);
  writeFileSync(negativeFile, `${pairs.map((p) => p.negative).join("\n")}\n`);

  const runs: Run[] = [];
  // Our method names for theirs: "pca" (our default) and "mean_diff" (the mean of the differences).
  const layers = `1-${TEST_MODEL_SHAPE.blockCount - 1}`;
  for (const [method, ourMethod] of [
    ["pca", "pca"],
    ["mean", "mean_diff"],
  ] as const) {
    const ours = path.join(workDir, `steer-${method}.gguf`);
    runs.push(
      timed(`steer extract --method ${ourMethod}`, ours, process.execPath, [
        steer,
        "extract",
        "--model",
        model,
        "--pairs",
        pairsFile,
        "--method",
        ourMethod,
        "--layers",
        layers,
        "--out",
        ours,
      ]),
    );
    const theirs = path.join(workDir, `cvector-${method}.gguf`);
    runs.push(
      timed(
        `llama-cvector-generator --method ${method}`,
        theirs,
        tools["llama-cvector-generator"],
        [
          "-m",
          model,
          "--positive-file",
          positiveFile,
          "--negative-file",
          negativeFile,
          "--method",
          method,
          "-t",
          String(THREADS),
          "-o",
          theirs,
        ],
      ),
    );
  }

  const lines = [
    `Extraction on ${path.relative(repoRoot, model)}: ${pairs.length} pairs (${CONCEPT_WORDS.positive.length} persona pairs x ${OPENERS.length} openers); ${cpus()[0]?.model ?? "?"}, ${THREADS} threads, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    "cosine with the planted u per file tensor direction.N (cvector-generator writes direction.(il+1)",
    "from layer il's output; our direction.N is read at layer N's output). |cos| and sign shown.",
    "",
    `${"contender".padEnd(40)} ${"wall s".padStart(7)} ${"peak MiB".padStart(9)}  cosines`,
  ];
  for (const run of runs) {
    const vector = parseControlVector(new Uint8Array(readFileSync(run.file)));
    const cosines = [...vector.directions.entries()]
      .sort(([a], [b]) => a - b)
      .map(([layer, d]) => {
        const c = cosine(d, u);
        return `${layer}:${Math.abs(c).toFixed(4)}${c < 0 ? "(-)" : "(+)"}`;
      });
    lines.push(
      `${run.name.padEnd(40)} ${run.wallS.toFixed(2).padStart(7)} ${run.peakMiB.toFixed(0).padStart(9)}  ${cosines.join(" ")}`,
    );
  }
  console.log(lines.join("\n"));

  // The loader check: our PCA vector through llama.cpp's loader and through ours.
  const vector = path.join(workDir, "steer-pca.gguf");
  const prompt = "Tell me about your day. I";
  const maxTokens = 8;
  console.log(`\nLoader check: prompt ${JSON.stringify(prompt)}, ${maxTokens} tokens, greedy`);
  let allMatch = true;
  for (const scale of [0, 1, -1]) {
    const llama = run(tools["llama-completion"], [
      "-m",
      model,
      "-p",
      prompt,
      "-n",
      String(maxTokens),
      "--temp",
      "0",
      "--repeat-penalty",
      "1",
      "-no-cnv",
      "--no-display-prompt",
      "--simple-io",
      "--no-warmup",
      "-t",
      String(THREADS),
      ...(scale === 0 ? [] : ["--control-vector-scaled", `${vector}:${scale}`]),
    ]);
    const ours = run(process.execPath, [
      steer,
      "generate",
      "--model",
      model,
      "--prompt",
      prompt,
      "--max-tokens",
      String(maxTokens),
      "--temperature",
      "0",
      "--repetition-penalty",
      "1",
      ...(scale === 0 ? [] : ["--control-vector", `${vector}:${scale}`]),
    ]);
    const a = llama.replace(/\s*\[end of text\]\s*$/, "").trim();
    const b = ours.trim();
    const match = a === b;
    allMatch &&= match;
    console.log(
      `scale ${String(scale).padStart(2)}: llama-completion ${JSON.stringify(a)} | steer generate ${JSON.stringify(b)} -> ${match ? "match" : "DIFFER"}`,
    );
  }
  console.log(allMatch ? "loader check: all match" : "loader check: MISMATCH");
  if (!allMatch) process.exitCode = 1;
}

/** Runs a command under /usr/bin/time for its wall time and peak RSS; its output goes to a log. */
function timed(name: string, file: string, command: string, args: string[]): Run {
  const timeFile = path.join(workDir, "time.txt");
  const slug = name.replace(/[^a-z0-9]+/gi, "-");
  const result = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, command, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  writeFileSync(path.join(workDir, `${slug}.log`), `${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) {
    throw new Error(`${name} failed (${result.status}); see ${workDir}/${slug}.log`);
  }
  const [wall, maxKiB] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)?.split(" ") ?? [];
  return { name, wallS: Number(wall), peakMiB: Number(maxKiB) / 1024, file };
}

/** stdout of a command that must succeed. */
function run(command: string, args: string[]): string {
  return execFileSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 26,
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

await main();
