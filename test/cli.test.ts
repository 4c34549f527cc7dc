// The `steer` command as a user runs it.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVAL_OPTIONS } from "../gpu-node/cli/evaluate.ts";
import { EXTRACT_OPTIONS } from "../gpu-node/cli/extract.ts";
import { GENERATE_OPTIONS } from "../gpu-node/cli/generate.ts";
import { MAKE_TEST_MODEL_OPTIONS } from "../gpu-node/cli/make-test-model.ts";
import type { Engine } from "../gpu-node/engine/engine.ts";
import { SERVE_OPTIONS } from "../gpu-node/server/serve.ts";
import { encodeControlVector } from "../shared/control-vector.ts";
import type { EvaluationResult } from "../shared/evaluation/result.ts";
import {
  loadTestEngine,
  randomControlVector,
  repoRoot,
  strongNorm,
  testModelPath,
} from "./support/engine.ts";
import { readPlanted } from "./support/planted.ts";

const steerBin = path.join(repoRoot, "bin/steer.js");

async function steer(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [steerBin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let engine: Engine;
let vectorFile: string;
let vector: ReturnType<typeof randomControlVector>;
beforeAll(async () => {
  engine = await loadTestEngine();
  const { layerCount, embeddingSize } = engine.model.metadata;
  vector = randomControlVector(11, layerCount, embeddingSize, await strongNorm(engine));
  vectorFile = path.join(await mkdtemp(path.join(tmpdir(), "steer-cli-")), "vector.gguf");
  await writeFile(vectorFile, encodeControlVector(vector));
});
afterAll(() => engine.close());

describe("steer generate", () => {
  it("prints the same completion as the engine, steered by a control-vector file", async () => {
    const expected = await engine.complete({
      prompt: "Once upon a time",
      maxNewTokens: 10,
      steering: [{ vector, multiplier: -1.5 }],
    });
    const run = await steer(
      "generate",
      "--model",
      testModelPath,
      "--prompt",
      "Once upon a time",
      "--max-tokens",
      "10",
      "--control-vector",
      `${vectorFile}:-1.5`,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected.text}\n`);
    expect(run.stderr).toContain("completion tokens: 10");
  });

  it("--chat wraps the prompt in the chat template", async () => {
    const expected = await engine.complete({
      messages: [{ role: "user", content: "Hi" }],
      maxNewTokens: 5,
    });
    const run = await steer(
      "generate",
      "--model",
      testModelPath,
      "--prompt",
      "Hi",
      "--chat",
      "--max-tokens",
      "5",
    );
    expect(run.stdout).toBe(`${expected.text}\n`);
  });

  it("samples reproducibly with --temperature and --seed", async () => {
    const args = [
      "generate",
      "--model",
      testModelPath,
      "--prompt",
      "Hi",
      "--max-tokens",
      "8",
      "--temperature",
      "1",
      "--seed",
      "42",
    ];
    const [a, b] = await Promise.all([steer(...args), steer(...args)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it("explains usage errors (exit 2) and bad inputs (exit 1)", async () => {
    const noPrompt = await steer("generate", "--model", testModelPath);
    expect(noPrompt).toMatchObject({ code: 2 });
    expect(noPrompt.stderr).toContain("--prompt is required");
    const badNumber = await steer(
      "generate",
      "--model",
      testModelPath,
      "--prompt",
      "x",
      "--max-tokens",
      "lots",
    );
    expect(badNumber.stderr).toContain("--max-tokens must be a number");
    const noModel = await steer("generate", "--model", "/missing.gguf", "--prompt", "x");
    expect(noModel).toMatchObject({ code: 1 });
    expect(noModel.stderr).toContain("model file not found: /missing.gguf");
    const badVector = await steer(
      "generate",
      "--model",
      testModelPath,
      "--prompt",
      "x",
      "--control-vector",
      `${testModelPath}:1`,
    );
    expect(badVector).toMatchObject({ code: 1 });
    expect(badVector.stderr).toContain('architecture is "llama"');
    expect((await steer("frobnicate")).code).toBe(2);
    const halfEndpoint = await steer("serve", "--model", testModelPath, "--generator-url", "x");
    expect(halfEndpoint).toMatchObject({ code: 2 });
    expect(halfEndpoint.stderr).toContain("--generator-url and --generator-model go together");
  });
});

describe("steer eval", () => {
  it("prints each multiplier's scores, MMLU accuracy and KL, the recommended range, and writes the answers", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "steer-eval-"));
    const { cheerful } = await readPlanted(testModelPath, engine.model.metadata.layerCount);
    const planted = path.join(dir, "cheerful.gguf");
    await writeFile(planted, encodeControlVector(cheerful));
    const prompts = path.join(dir, "prompts.txt");
    await writeFile(
      prompts,
      "Describe your ideal weekend.\n\nWhat do you think about rainy days?\n",
    );
    const out = path.join(dir, "result.json");
    const mmluDir = path.resolve(repoRoot, "../shared/data/mmlu");
    const run = await steer(
      ...["eval", "--model", testModelPath, "--control-vector", planted, "--trait", "cheerful"],
      // As the usage writes it: a value starting with a dash, after a space.
      ...["--multipliers", "-1,1", "--prompts", prompts, "--max-tokens", "6"],
      ...["--mmlu-dir", mmluDir, "--mmlu-questions", "3", "--shots", "1", "--out", out],
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^multiplier +trait score \[95% CI\] +coherence +MMLU +KL/m);
    expect(run.stdout).toMatch(/^0 +\d\.\d\d \[/m);
    expect(run.stdout).toMatch(/^recommended: -?\d+ to \d+ \(limited by \w+ below, \w+ above\)$/m);
    const result = JSON.parse(await readFile(out, "utf8")) as EvaluationResult;
    expect(result.prompts).toHaveLength(2);
    expect(result.mmlu).toEqual({ questions: 3, shots: 1, note: null });
    const [gloomy, plain, happy] = result.multipliers.map((row) => row.trait_score.mean);
    expect(gloomy).toBeLessThan(plain as number);
    expect(plain).toBeLessThan(happy as number);
    expect(result.multipliers[2]?.answers[1]?.text).toMatch(/\w/);
  });

  it("names a setting it refuses (exit 2)", async () => {
    const args = ["eval", "--model", testModelPath, "--control-vector", vectorFile, "--trait", "x"];
    const twice = await steer(...args, "--multipliers=1,1");
    expect(twice).toMatchObject({ code: 2 });
    expect(twice.stderr).toContain("multipliers: must not repeat a multiplier");
    const long = await steer(...args, "--max-tokens", "999");
    expect(long.stderr).toContain("max_tokens:");
    expect((await steer("eval", "--model", testModelPath)).stderr).toContain(
      "--control-vector is required",
    );
  });
});

describe("steer --help", () => {
  const commands: Record<string, object> = {
    generate: GENERATE_OPTIONS,
    extract: EXTRACT_OPTIONS,
    eval: EVAL_OPTIONS,
    "make-test-model": MAKE_TEST_MODEL_OPTIONS,
    demo: {},
    serve: SERVE_OPTIONS,
  };

  it("lists every command, and under each every option it takes", async () => {
    const run = await steer("--help");
    expect(run.code).toBe(0);
    // Each command's part runs from its "steer NAME" line to the next one.
    const parts = run.stdout.split(/^(?=steer )/m);
    for (const [command, options] of Object.entries(commands)) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"));
      const part = parts.find((text) => text.startsWith(`steer ${command}`));
      expect(part, command).toBeDefined();
      for (const option of Object.keys(options)) expect(part, command).toContain(`--${option}`);
    }
  });

  it("refuses an option a command does not take (demo takes none)", async () => {
    const run = await steer("demo", "--port", "1");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--port'");
  });
});
