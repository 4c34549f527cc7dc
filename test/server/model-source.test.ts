// `steer serve --model`: a path is used as is; an hf: URI resolves through node-llama-cpp into the
// model cache (no network when the file is already there), and one that cannot be fetched fails.
import { spawn } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelIdOf, resolveModelSource } from "../../gpu-node/engine/model-source.ts";
import { repoRoot, testModelPath } from "../support/engine.ts";

let dir: string;
/** A Hugging Face stand-in that has nothing: every file is 404. */
let hub: Server;
let hubUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "steer-model-source-"));
  hub = createServer((_, response) => {
    response.statusCode = 404;
    response.end("not found");
  });
  await new Promise<void>((resolve) => hub.listen(0, "127.0.0.1", resolve));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => hub.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("resolveModelSource", () => {
  it("passes a path through unchanged", async () => {
    expect(await resolveModelSource("some/where/model.gguf", { cacheDir: dir })).toBe(
      "some/where/model.gguf",
    );
    expect(modelIdOf("some/where/model.gguf")).toBe("model");
    expect(modelIdOf("hf:user/repo:Q4_K_M")).toBe("user/repo:Q4_K_M");
  });

  it("finds an hf: model already in the cache without the network", async () => {
    const cached = path.join(dir, "hf_someone_tiny_steer-test.gguf");
    await copyFile(testModelPath, cached);
    const previous = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = hubUrl;
    try {
      const resolved = await resolveModelSource("hf:someone/tiny/steer-test.gguf", {
        cacheDir: dir,
        progress: null,
      });
      expect(path.resolve(resolved)).toBe(cached);
    } finally {
      if (previous === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = previous;
    }
  });

  it("fails at once, saying so, when the hub cannot be reached", async () => {
    const previous = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = "http://127.0.0.1:1/";
    try {
      await expect(
        resolveModelSource("hf:nobody/missing:Q4_K_M", { cacheDir: dir, progress: null }),
      ).rejects.toThrow(/cannot fetch the model .* http:\/\/127\.0\.0\.1:1\/ cannot be reached/);
    } finally {
      if (previous === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = previous;
    }
  });

  it("makes steer serve exit non-zero, saying so, when an hf: model cannot be fetched", async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin/steer.js"),
        "serve",
        "--model",
        "hf:nobody/missing/missing.gguf",
        "--models-dir",
        dir,
        "--port",
        "0",
      ],
      { env: { ...process.env, HF_ENDPOINT: hubUrl }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (data) => {
      stderr += data;
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('cannot fetch the model "hf:nobody/missing/missing.gguf"');
    expect(stderr).toContain("404");
    expect(stderr).toContain("choose another model: --model PATH.gguf");
  });
});
