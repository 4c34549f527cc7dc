// A persistent CPU thread pool for one context. Without one, llama.cpp's CPU backend (built
// without OpenMP, as node-llama-cpp's libraries are) creates a throwaway pool on every decode,
// and that is many times slower when successive decodes come from different threads, as they do
// from libuv's worker pool (measured: bench/RESULTS.md).
#pragma once
#include <memory>

#include "ggml.h"

namespace steer {

class CpuThreadPool {
 public:
  // Null when no CPU backend is loaded (nothing to attach then).
  static std::unique_ptr<CpuThreadPool> Create(int n_threads);
  ~CpuThreadPool();

  ggml_threadpool_t get() const { return pool_; }

 private:
  using FreeFn = void (*)(ggml_threadpool_t);
  CpuThreadPool(ggml_threadpool_t pool, FreeFn free_fn) : pool_(pool), free_fn_(free_fn) {}

  ggml_threadpool_t pool_;
  FreeFn free_fn_;
};

}  // namespace steer
