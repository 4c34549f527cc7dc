// Builds llama.cpp's CUDA backend (libggml-cuda.so) for the GPUs of this machine, from the very
// source release node-llama-cpp ships, and puts it in place of the prebuilt one. The prebuilt
// library's kernels need a driver as new as the toolkit it was built with: on an older or newer
// driver pairing CUDA refuses them ("the provided PTX was compiled with an unsupported
// toolchain"). Built here, by this machine's nvcc, for its cards' compute capabilities, they run.
//
//   npm run build:cuda           builds (a few minutes per architecture), then keeps the prebuilt
//                                library beside it as libggml-cuda.so.prebuilt
//   npm install                  runs this too when nvcc and an NVIDIA GPU are present
//
// Needs the CUDA toolkit (nvcc), cmake and git; the GPUs are read from nvidia-smi.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const paths = require("./paths.cjs");

const LIBRARY = "libggml-cuda.so";

/** The output of `command`, or null when it cannot run. */
function output(command, args) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
}

/** The compute capabilities of this machine's GPUs, as CMake names them ("90", "120"). */
export function gpuArchitectures() {
  const caps = output("nvidia-smi", ["--query-gpu=compute_cap", "--format=csv,noheader"]);
  if (caps === null) return [];
  return [
    ...new Set(
      caps
        .split("\n")
        .map((cap) => cap.trim().replace(".", ""))
        .filter(Boolean),
    ),
  ];
}

/** Why this machine cannot build the backend, or null when it can. */
export function cannotBuild() {
  if (output("nvcc", ["--version"]) === null) return "nvcc (the CUDA toolkit) is not on the PATH";
  if (output("cmake", ["--version"]) === null) return "cmake is not on the PATH";
  if (gpuArchitectures().length === 0) return "nvidia-smi finds no NVIDIA GPU";
  if (!existsSync(paths.cudaBinsDir))
    return `node-llama-cpp's CUDA package is missing (${paths.cudaBinsDir})`;
  return null;
}

function run(command, args) {
  execFileSync(command, args, { stdio: "inherit" });
}

function build() {
  const architectures = gpuArchitectures();
  const source = mkdtempSync(path.join(tmpdir(), "steer-llama-cuda-"));
  try {
    run("git", ["clone", "--quiet", paths.llamaBundle, source]);
    const buildDir = path.join(source, "build");
    // The backend alone, loadable the way node-llama-cpp's libraries load theirs (GGML_BACKEND_DL).
    run("cmake", [
      "-S",
      source,
      "-B",
      buildDir,
      "-DCMAKE_BUILD_TYPE=Release",
      "-DGGML_CUDA=ON",
      "-DGGML_BACKEND_DL=ON",
      "-DGGML_CPU=OFF",
      "-DGGML_NATIVE=OFF",
      `-DCMAKE_CUDA_ARCHITECTURES=${architectures.join(";")}`,
      "-DLLAMA_BUILD_COMMON=OFF",
      "-DLLAMA_BUILD_TESTS=OFF",
      "-DLLAMA_BUILD_TOOLS=OFF",
      "-DLLAMA_BUILD_EXAMPLES=OFF",
      "-DLLAMA_BUILD_SERVER=OFF",
      "-DLLAMA_CURL=OFF",
    ]);
    run("cmake", [
      "--build",
      buildDir,
      "--target",
      "ggml-cuda",
      "-j",
      String(availableParallelism()),
    ]);
    const built = output("find", [buildDir, "-name", LIBRARY])?.split("\n")[0];
    if (!built) throw new Error(`the build made no ${LIBRARY}`);
    const installed = path.join(paths.cudaBinsDir, LIBRARY);
    const prebuilt = `${installed}.prebuilt`;
    if (!existsSync(prebuilt) && existsSync(installed)) renameSync(installed, prebuilt);
    copyFileSync(built, installed);
    process.stdout.write(
      `build:cuda: ${installed} built for compute capability ${architectures.join(", ")}\n`,
    );
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}

// `npm install` passes --if-possible: build only where a toolkit and a GPU are, silently otherwise.
if (import.meta.url === `file://${process.argv[1]}`) {
  const why = cannotBuild();
  if (why === null) build();
  else if (process.argv.includes("--if-possible")) process.exit(0);
  else {
    process.stderr.write(`build:cuda: cannot build llama.cpp's CUDA backend here: ${why}\n`);
    process.exit(1);
  }
}
