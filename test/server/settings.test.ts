// steer serve's settings (gpu-node/server/settings.ts): each from its flag, else its environment
// variable, else its default; checked alone and together, a bad one naming where it came from;
// printed at start and shown in GET /v1/models by the real process; and the backend check that
// stops a node which cannot run on the backend it was asked for.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../gpu-node/cli/args.ts";
import { readSettings } from "../../gpu-node/server/settings.ts";
import { MAX_JSON_BODY_BYTES } from "../../shared/limits.ts";
import type { ModelList } from "../../shared/openai/models.ts";
import { startServer } from "./server-process.ts";

describe("serving settings", () => {
  it("take the flag, else the environment variable, else the default", () => {
    const { settings, sources } = readSettings(
      { parallel: "4", "batch-size": "256" },
      { STEER_PARALLEL: "2", STEER_CTX_SIZE: "1024", STEER_FLASH_ATTN: "off" },
    );
    expect(settings).toMatchObject({
      parallel: 4,
      batchSize: 256,
      ctxSize: 1024,
      flashAttn: "off",
      lanes: 1,
      gpuLayers: null,
      cacheTypeK: "f16",
      maxBodyBytes: MAX_JSON_BODY_BYTES,
    });
    expect(sources).toMatchObject({ parallel: "flag", ctxSize: "env", lanes: "default" });
    expect(readSettings({ "gpu-layers": "all" }, {}).settings.gpuLayers).toBe(-1);
  });

  it("refuse a bad value, naming the flag or the variable it came from", () => {
    const refused = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) => {
      try {
        readSettings(values, env);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused({ parallel: "0" })).toMatch(/^--parallel must be a whole number of at least 1/);
    expect(refused({}, { STEER_BATCH_SIZE: "many" })).toMatch(/^STEER_BATCH_SIZE must be/);
    expect(refused({ "cache-type-k": "q3" })).toMatch(/^--cache-type-k must be one of f32, f16/);
    expect(refused({ "flash-attn": "yes" })).toMatch(/^--flash-attn must be one of on, off, auto/);
    expect(refused({ parallel: "16", "batch-size": "8" })).toBe(
      "--parallel (16) must not exceed --batch-size (8)",
    );
    expect(refused({ "cache-type-v": "q8_0" }, { STEER_FLASH_ATTN: "auto" })).toBe(
      "--cache-type-v q8_0 (a quantized value cache) needs STEER_FLASH_ATTN on",
    );
    expect(
      readSettings({ "cache-type-v": "q8_0", "flash-attn": "on" }, {}).settings.cacheTypeV,
    ).toBe("q8_0");
  });

  it("are what the node runs with: printed at start, shown in GET /v1/models", async () => {
    const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-settings-"));
    const server = await startServer({
      vectorsDir,
      args: ["--parallel", "2", "--batch-size", "64", "--cache-type-k", "f32"],
      env: { STEER_QUEUE_DEPTH: "3" },
    });
    try {
      expect(server.startLines().join("\n")).toMatch(
        /^steer serve: parallel=2 \(flag\) lanes=1 batch-size=64 \(flag\) ctx-size=512 \(flag\) .*cache-type-k=f32 \(flag\).* queue-depth=3 \(env\)/m,
      );
      const models = (await (await fetch(`${server.url}/v1/models`)).json()) as ModelList;
      expect(models.data[0]?.metadata.serving).toMatchObject({
        parallel: 2,
        "batch-size": 64,
        "ctx-size": 512,
        "cache-type-k": "f32",
        "cache-type-v": "f16",
        "flash-attn": "auto",
        "gpu-layers": null,
        "queue-depth": 3,
      });
    } finally {
      await server.stop();
      await rm(vectorsDir, { recursive: true, force: true });
    }
  });

  it("stop steer serve at once when one is bad", async () => {
    const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-settings-"));
    await expect(
      startServer({ vectorsDir, args: ["--parallel", "9", "--batch-size", "8"] }),
    ).rejects.toThrow("--parallel (9) must not exceed --batch-size (8)");
    await rm(vectorsDir, { recursive: true, force: true });
  });

  // Where an NVIDIA GPU is, the CUDA backend loads and this is not the case to test.
  it.skipIf(existsSync("/dev/nvidia0"))(
    "stop steer serve, saying why, when the CUDA backend asked for finds no device",
    async () => {
      const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-settings-"));
      await expect(startServer({ vectorsDir, env: { STEER_BACKEND: "cuda" } })).rejects.toThrow(
        /exited \(1\): steer serve: STEER_BACKEND=cuda, but llama.cpp found no CUDA device \(only: .+\); check the NVIDIA driver/,
      );
      await rm(vectorsDir, { recursive: true, force: true });
    },
  );
});
