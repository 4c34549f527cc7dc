// What the engine tests share: the generated test model and small helpers around it.
import path from "node:path";
import { Engine, type EngineOptions } from "../../gpu-node/engine/engine.ts";
import { EngineError } from "../../gpu-node/engine/errors.ts";
import type { ControlVector } from "../../shared/control-vector.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Written once by test/global-setup.ts. */
export const testModelPath =
  process.env.STEER_TEST_MODEL ?? path.join(repoRoot, ".cache/models/steer-test.gguf");

/**
 * One thread per decode: vitest runs test files side by side, and llama.cpp's spinning threads
 * crawl when processes together ask for more threads than there are cores.
 */
export function loadTestEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.load(testModelPath, { contextSize: 512, batchSize: 64, threads: 1, ...options });
}

/** A deterministic pseudo-random vector on every steerable layer, of the given norm per layer. */
export function randomControlVector(
  seed: number,
  layerCount: number,
  width: number,
  norm: number,
): ControlVector {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0xffffffff - 0.5;
  };
  const directions = new Map<number, Float32Array>();
  for (let layer = 1; layer < layerCount; layer++) {
    const v = Float32Array.from({ length: width }, next);
    const scale = norm / Math.hypot(...v);
    directions.set(
      layer,
      v.map((x) => x * scale),
    );
  }
  return { directions };
}

/** A steering norm that visibly matters on this model: half the typical hidden-state norm. */
export async function strongNorm(engine: Engine): Promise<number> {
  const [captured] = await engine.capture(["The quick brown fox jumps over the lazy dog"], {
    layers: [1],
  });
  const state = captured?.states.get(1) ?? new Float32Array(1);
  return 0.5 * Math.hypot(...state);
}

/** The error code a call fails with (sync or async), or "no error". */
export async function errorCode(run: () => unknown): Promise<string> {
  try {
    await run();
    return "no error";
  } catch (error) {
    return error instanceof EngineError ? error.code : `not an EngineError: ${error}`;
  }
}
