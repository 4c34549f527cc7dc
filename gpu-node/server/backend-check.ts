// What steer serve checks before it listens: that the backend it was asked for is the one llama.cpp
// runs on, and that it can decode. llama.cpp loads each backend's library if it can and quietly
// leaves out one that cannot load (CUDA without a driver, say): the node would then serve on the
// CPU, orders of magnitude slower, with nothing said. A node that cannot run stops instead, saying
// why.
import { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { backendFromEnv } from "../engine/native.ts";

const GPU_HELP =
  "check the NVIDIA driver and the CUDA runtime libraries on the library path (README: Running on an NVIDIA GPU), or run on the CPU without STEER_BACKEND=cuda";

/** Throws an EngineError saying why `engine` cannot serve on the backend asked for. */
export async function checkBackend(engine: Engine): Promise<void> {
  const devices = Engine.devices();
  if (backendFromEnv() === "cuda" && !devices.some((device) => device.type === "gpu")) {
    const found = devices.map((device) => device.description || device.name).join(", ");
    throw new EngineError(
      "backend_unavailable",
      `STEER_BACKEND=cuda, but llama.cpp found no CUDA device (only: ${found}); ${GPU_HELP}`,
    );
  }
  try {
    // One token through the whole model: a backend that loads but cannot run (a CUDA build the
    // driver cannot load kernels of) fails here rather than on a customer's request.
    await engine.complete({ prompt: "Hello", maxNewTokens: 1 });
  } catch (error) {
    throw new EngineError(
      "backend_unavailable",
      `the model cannot decode on this backend: ${(error as Error).message}${backendFromEnv() === "cuda" ? `; ${GPU_HELP}, or build the CUDA backend for this machine: npm run build:cuda` : ""}`,
    );
  }
}
