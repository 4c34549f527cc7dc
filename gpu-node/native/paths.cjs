// Where the llama.cpp pieces come from. One place, read by binding.gyp, build.mjs and the engine.
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "../..");
const nodeModules = path.join(repoRoot, "node_modules");

module.exports = {
  /** node-llama-cpp's git bundle of the llama.cpp source it was built from. */
  llamaBundle: path.join(nodeModules, "node-llama-cpp/llama/gitRelease.bundle"),
  /** Prebuilt CPU libraries (libllama, libggml, CPU backend variants). */
  cpuBinsDir: path.join(nodeModules, "@node-llama-cpp/linux-x64/bins/linux-x64"),
  /** Prebuilt CUDA libraries, CPU backends included (STEER_BACKEND=cuda). */
  cudaBinsDir: path.join(nodeModules, "@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda"),
  /** Headers extracted from the bundle. */
  vendorDir: path.join(__dirname, "vendor/llama.cpp"),
  /** The compiled addons: one linked to the CPU libraries, one to the CUDA ones. */
  addonFile: path.join(__dirname, "build/Release/steer_native.node"),
  cudaAddonFile: path.join(__dirname, "build/Release/steer_native_cuda.node"),
};
