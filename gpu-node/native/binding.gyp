{
  # The addon is compiled against the llama.cpp headers of node-llama-cpp's bundled source
  # (extracted by build.mjs into vendor/) and linked to the shared libraries that node-llama-cpp's
  # prebuilt packages ship, so it runs the very same llama.cpp as node-llama-cpp (libllama-common
  # for the JSON schema to grammar converter, which both packages ship under that name). One build per
  # backend package: steer_native links the CPU libraries, steer_native_cuda the CUDA ones
  # (built only where @node-llama-cpp/linux-x64-cuda is installed).
  "variables": {
    "cpu_bins%": "<!(node -p \"require('node:path').relative(process.cwd(), require('./paths.cjs').cpuBinsDir)\")",
    "cuda_bins%": "<!(node -p \"require('node:path').relative(process.cwd(), require('./paths.cjs').cudaBinsDir)\")",
    "has_cuda%": "<!(node -p \"require('node:fs').existsSync(require('./paths.cjs').cudaBinsDir) ? 1 : 0\")",
  },
  "target_defaults": {
    "sources": [
      "src/addon.cc",
      "src/log.cc",
      "src/model.cc",
      "src/sampler.cc",
      "src/json-schema.cc",
      "src/layer-output.cc",
      "src/capture.cc",
      "src/vector-slots.cc",
      "src/device-rows.cc",
      "src/row-steering.cc",
      "src/condition-gates.cc",
      "src/context.cc",
      "src/threadpool.cc",
    ],
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "vendor/llama.cpp/include",
      "vendor/llama.cpp/ggml/include",
      "vendor/llama.cpp/common",
    ],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-O2"],
  },
  "targets": [
    {
      "target_name": "steer_native",
      "libraries": [
        "-L<(module_root_dir)/<(cpu_bins)",
        "-l:libllama.v0.4.0.so",
        "-l:libggml.v0.4.0.so",
        "-l:libggml-base.so",
        "-l:libllama-common.so",
        # A path relative to the addon itself, so the checkout can move.
        "-Wl,-rpath,'$$ORIGIN/../../<(cpu_bins)'",
      ],
    },
  ],
  "conditions": [
    ["has_cuda==1", {
      "targets": [
        {
          "target_name": "steer_native_cuda",
          "libraries": [
            "-L<(module_root_dir)/<(cuda_bins)",
            "-l:libllama.cuda.v0.4.0.so",
            "-l:libggml.cuda.v0.4.0.so",
            "-l:libggml-base.so",
            "-l:libllama-common.so",
            "-Wl,-rpath,'$$ORIGIN/../../<(cuda_bins)'",
          ],
        },
      ],
    }],
  ],
}
