// The `steer` command as a user runs it.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../gpu-node/engine/engine.ts";
import { encodeControlVector } from "../shared/control-vector.ts";
import {
  loadTestEngine,
  randomControlVector,
  repoRoot,
  strongNorm,
  testModelPath,
} from "./support/engine.ts";

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
  });
});
