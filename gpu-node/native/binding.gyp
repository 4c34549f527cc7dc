{
  # The addon is compiled against the llama.cpp headers of node-llama-cpp's bundled source
  # (extracted by build.mjs into vendor/) and linked to the shared libraries that
  # @node-llama-cpp/linux-x64 ships, so it runs the very same llama.cpp as node-llama-cpp.
  "variables": {
    "llama_bins%": "<!(node -p \"require('node:path').relative(process.cwd(), require('./paths.cjs').cpuBinsDir)\")",
  },
  "targets": [
    {
      "target_name": "steer_native",
      "sources": [
        "src/addon.cc",
        "src/log.cc",
        "src/model.cc",
        "src/sampler.cc",
        "src/capture.cc",
        "src/context.cc",
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "vendor/llama.cpp/include",
        "vendor/llama.cpp/ggml/include",
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2"],
      "libraries": [
        "-L<(module_root_dir)/<(llama_bins)",
        "-l:libllama.v0.4.0.so",
        "-l:libggml.v0.4.0.so",
        "-l:libggml-base.so",
        # A path relative to the addon itself, so the checkout can move.
        "-Wl,-rpath,'$$ORIGIN/../../<(llama_bins)'",
      ],
    }
  ]
}
