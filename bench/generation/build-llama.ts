// llama.cpp's own tools, built from the very source release that node-llama-cpp ships (and whose
// prebuilt libraries the engine links), so "native" means the same code compiled for this CPU.
// CPU only, Release, static, without the server, tests, examples or HTTPS: the smallest build
// that gives llama-bench and llama-quantize. Built once into .cache and reused.
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { cacheDir, repoRoot } from "./paths.ts";

const sourceBundle = path.join(repoRoot, "node_modules/node-llama-cpp/llama/gitRelease.bundle");
const sourceDir = path.join(cacheDir, "llama.cpp-src");
const buildDir = path.join(cacheDir, "llama.cpp-build");
const TOOLS = ["llama-bench", "llama-quantize"] as const;

export type LlamaTool = (typeof TOOLS)[number];
export type LlamaTools = Record<LlamaTool, string>;

const CMAKE_OPTIONS = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED_LIBS=OFF",
  // -march=native: the best this CPU can do. OpenMP stays on (llama.cpp's default), whereas
  // node-llama-cpp's prebuilt libraries use ggml's own thread pool.
  "-DGGML_NATIVE=ON",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_SERVER=OFF",
  "-DLLAMA_BUILD_APP=OFF",
  "-DLLAMA_OPENSSL=OFF",
];

/** Paths of the built tools; builds whatever is missing first (minutes, once). */
export function ensureLlamaTools(): LlamaTools {
  return ensureLlamaTargets(TOOLS);
}

/** Paths of any of llama.cpp's tool targets (e.g. "llama-cvector-generator"), built if missing. */
export function ensureLlamaTargets<T extends string>(targets: readonly T[]): Record<T, string> {
  const tools = Object.fromEntries(
    targets.map((tool) => [tool, path.join(buildDir, "bin", tool)]),
  ) as Record<T, string>;
  const missing = targets.filter((tool) => !existsSync(tools[tool]));
  if (missing.length > 0) build(missing);
  return tools;
}

function build(targets: readonly string[]): void {
  const log = path.join(cacheDir, "llama.cpp-build.log");
  console.error(`Building ${targets.join(", ")} from llama.cpp source (minutes; log: ${log})`);
  const started = performance.now();
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(sourceDir)) {
    execFileSync(
      "git",
      ["-c", "advice.detachedHead=false", "clone", "--quiet", sourceBundle, sourceDir],
      { stdio: "inherit" },
    );
  }
  const output = openSync(log, "a");
  const cmake = (args: string[]) =>
    execFileSync("cmake", args, { stdio: ["ignore", output, output] });
  try {
    cmake(["-S", sourceDir, "-B", buildDir, ...CMAKE_OPTIONS]);
    cmake([
      "--build",
      buildDir,
      "--config",
      "Release",
      `-j${availableParallelism()}`,
      "--target",
      ...targets,
    ]);
  } finally {
    closeSync(output);
  }
  console.error(`Built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
