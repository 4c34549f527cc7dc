// npm run build:cuda (gpu-node/native/build-cuda.mjs) on a machine that cannot build llama.cpp's
// CUDA backend: a clear refusal when asked, and nothing at all when npm install asks if possible.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/engine.ts";

const script = path.join(repoRoot, "gpu-node/native/build-cuda.mjs");
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [script, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

// Where a GPU and nvcc are, it would build: not the case tested here.
describe.skipIf(existsSync("/dev/nvidia0"))("build:cuda without a GPU or the CUDA toolkit", () => {
  it("says why it cannot build, and fails", async () => {
    const { code, stderr } = await run();
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^build:cuda: cannot build llama.cpp's CUDA backend here: (nvcc|cmake|nvidia-smi|node-llama-cpp)/,
    );
  });

  it("does nothing, quietly, when npm install asks if it can", async () => {
    expect(await run("--if-possible")).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});
