// `steer extract` as a user runs it: examples in, a vector file out that `steer generate` steers
// with; usage errors exit 2 (examples the extraction schemas refuse among them: the same checks as
// POST /v1/extractions) and what only the model refuses exits 1, as for `steer generate`.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { dot } from "../../gpu-node/extraction/pca.ts";
import { readPlantedBand, readPlantedConcept } from "../../gpu-node/test-model/index.ts";
import { parseControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { repoRoot, testModelPath } from "../support/engine.ts";
import { countWords } from "../support/planted.ts";

async function steer(...args: string[]) {
  try {
    const run = promisify(execFile);
    const { stdout, stderr } = await run(process.execPath, [
      path.join(repoRoot, "bin/steer.js"),
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
const file = (name: string) => path.join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "steer-extract-"));
  await writeFile(file("positive.txt"), "happy\ncheerful\n\njoyful\n");
  await writeFile(file("negative.txt"), "sad\nmiserable\ndepressed\n");
  await writeFile(file("openers.txt"), "I think\nToday the weather\nMy favourite part of\nWell,\n");
  await writeFile(file("one.txt"), "sad\n");
  await writeFile(file("empty.jsonl"), "\n");
  await writeFile(file("pairs.jsonl"), '{"positive": "I am happy", "negative": "I am sad"}\n\n');
  await writeFile(
    file("bad.jsonl"),
    '{"positive": "I am happy", "negative": "I am sad"}\n{"positive": 1}\n',
  );
});

describe("steer extract", () => {
  it("writes a vector that steers `steer generate`, and prints the report", async () => {
    const vectorFile = file("cheerful.gguf");
    const run = await steer(
      "extract",
      "--model",
      testModelPath,
      "--personas",
      file("positive.txt"),
      file("negative.txt"),
      "--openers",
      file("openers.txt"),
      "--layers",
      "1-3",
      "--out",
      vectorFile,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/extracted pca on \d+ pairs; wrote .*cheerful\.gguf/);
    expect(run.stdout).toMatch(/^\s+3\s+100\.0%\s+\d+\.\d%\s+\d+\.\d+$/m);

    const vector = parseControlVector(new Uint8Array(await readFile(vectorFile)));
    const concept = readPlantedConcept((await readGgufFile(testModelPath)).metadata);
    expect([...vector.directions.keys()]).toEqual([1, 2, 3]);
    for (const direction of vector.directions.values())
      expect(dot(direction, concept.direction)).toBeGreaterThan(0.95);

    // Steered at +1 the model writes the positive personas' words (unsteered, none: see
    // test/engine/planted-steering.test.ts); the sign is the cosine's above.
    const steered = await steer(
      "generate",
      "--model",
      testModelPath,
      "--chat",
      "--prompt",
      "Tell me about your day.",
      "--max-tokens",
      "8",
      "--control-vector",
      `${vectorFile}:1`,
    );
    expect(countWords(steered.stdout, concept.positiveWords)).toBeGreaterThanOrEqual(6);
  });

  it("takes explicit pairs", async () => {
    const run = await steer(
      "extract",
      "--model",
      testModelPath,
      "--pairs",
      file("pairs.jsonl"),
      "--method",
      "mean_diff",
      "--out",
      file("pairs.gguf"),
    );
    expect(run.stdout).toContain("extracted mean_diff on 1 pairs");
    // One pair cannot be split to measure layers on: the fixed band, and the report says why.
    expect(run.stdout).toContain("layers 2,3 by band: the fixed band");
    expect(run.stdout).toContain("1 pairs are too few to measure layers on");
    const vector = parseControlVector(new Uint8Array(await readFile(file("pairs.gguf"))));
    expect([...vector.directions.keys()]).toEqual([2, 3]);
  });

  it("chooses the layers by measurement by default, and prints every candidate's score", async () => {
    const band = readPlantedBand((await readGgufFile(testModelPath)).metadata);
    await writeFile(file("calm.txt"), `${band.positiveWords.slice(0, 3).join("\n")}\n`);
    await writeFile(file("angry.txt"), `${band.negativeWords.slice(0, 3).join("\n")}\n`);
    const run = await steer(
      "extract",
      "--model",
      testModelPath,
      "--personas",
      file("calm.txt"),
      file("angry.txt"),
      "--openers",
      file("openers.txt"),
      "--out",
      file("calm.gguf"),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `layers ${band.layers.join(",")} by measurement: the trait reads best on held-out pairs`,
    );
    expect(run.stdout).toMatch(/^layer\s+readability\s+accuracy\s+explained/m);
    expect(run.stdout).toMatch(/^\s+2\s+\d\.\d{3}\s+/m);
    const vector = parseControlVector(new Uint8Array(await readFile(file("calm.gguf"))));
    expect([...vector.directions.keys()]).toEqual(band.layers);
  });

  it("explains usage errors (exit 2) and bad inputs (exit 1)", async () => {
    const extract = (...args: string[]) =>
      steer("extract", "--model", testModelPath, "--out", file("unused.gguf"), ...args);
    const personas = ["--personas", file("positive.txt"), file("negative.txt")];
    const cases: [Promise<{ code: number; stderr: string }>, number, string][] = [
      [steer("extract", ...personas, "--model", testModelPath), 2, "--out is required"],
      [extract(), 2, "give either --personas"],
      [extract(...personas, "--pairs", file("pairs.jsonl")), 2, "give either --personas"],
      [extract("--personas", file("positive.txt")), 2, "--personas takes two files"],
      [extract(...personas, "stray"), 2, 'unexpected argument "stray"'],
      [extract(...personas, "--method", "svd"), 2, "--method must be one of pca, pca_diff"],
      [extract(...personas, "--layers", "3-1"), 2, "runs backwards"],
      [extract(...personas, "--layers", "top"), 2, "--layers takes band, N, A-B"],
      [
        extract("--pairs", file("pairs.jsonl"), "--openers", file("openers.txt")),
        2,
        "go with --personas",
      ],
      [extract(...personas, "--layers", "0-2"), 1, "layer 0 cannot be steered"],
      [
        extract("--personas", file("positive.txt"), file("one.txt")),
        2,
        `${file("one.txt")}: personas come in pairs`,
      ],
      [extract(...personas, "--template", "Be nice."), 2, "--template: must hold {persona}"],
      [extract("--pairs", file("bad.jsonl")), 2, "bad.jsonl line 2, positive: "],
      [extract("--pairs", file("empty.jsonl")), 2, "empty.jsonl: Too small"],
      [extract("--pairs", file("missing.jsonl")), 1, "cannot read"],
    ];
    for (const [run, code, message] of cases) {
      const { code: actual, stderr } = await run;
      expect({ code: actual, stderr }).toMatchObject({
        code,
        stderr: expect.stringContaining(message),
      });
    }
  });
});
