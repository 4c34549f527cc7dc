#include "threadpool.h"

#include "ggml-backend.h"

namespace steer {

// The pool functions live in the CPU backend, which is loaded at run time: look them up there.
std::unique_ptr<CpuThreadPool> CpuThreadPool::Create(int n_threads) {
  ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
  if (cpu == nullptr) return nullptr;
  ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(cpu);
  using NewFn = ggml_threadpool_t (*)(ggml_threadpool_params*);
  auto new_fn = reinterpret_cast<NewFn>(ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new"));
  auto free_fn = reinterpret_cast<FreeFn>(ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free"));
  if (new_fn == nullptr || free_fn == nullptr) return nullptr;
  ggml_threadpool_params params = ggml_threadpool_params_default(n_threads);
  ggml_threadpool_t pool = new_fn(&params);
  if (pool == nullptr) return nullptr;
  return std::unique_ptr<CpuThreadPool>(new CpuThreadPool(pool, free_fn));
}

CpuThreadPool::~CpuThreadPool() { free_fn_(pool_); }

}  // namespace steer
