// A llama.cpp context over a loaded model: KV cache for up to `sequences` sequences, one control
// vector (llama.cpp keeps the vector per context), per-row steering, and optionally hidden-state
// capture. The last two work in llama.cpp's eval callback, on the layer outputs.
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>

#include "capture.h"
#include "condition-gates.h"
#include "row-steering.h"
#include "llama.h"
#include "threadpool.h"

namespace steer {

class Context : public Napi::ObjectWrap<Context> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);

  // new Context(model, { contextSize, batchSize, sequences, threads, unifiedKv, capture })
  explicit Context(const Napi::CallbackInfo& info);
  ~Context() override;

  llama_context* context() const { return ctx_; }
  Capture* capture() const { return capture_.get(); }
  RowSteering& row_steering() { return *row_steering_; }
  ConditionGates& gates() { return gates_; }
  int layer_count() const { return n_layer_; }
  int embedding_size() const { return n_embd_; }
  int batch_size() const { return n_batch_; }

  // Guards against two decodes on one context at once (llama.cpp contexts are not reentrant).
  std::atomic<bool> busy{false};

 private:
  Napi::Value Decode(const Napi::CallbackInfo& info);
  void ClearSequence(const Napi::CallbackInfo& info);
  void Free(const Napi::CallbackInfo& info);
  void Release();
  Context* Checked(Napi::Env env);
  static bool OnEval(ggml_tensor* tensor, bool ask, void* user_data);

  Napi::ObjectReference model_ref_;  // keeps the model alive while this context lives
  llama_context* ctx_ = nullptr;
  std::unique_ptr<CpuThreadPool> threads_;  // outlives ctx_: freed after it
  std::unique_ptr<Capture> capture_;
  std::unique_ptr<RowSteering> row_steering_;
  ConditionGates gates_{0, 0};
  int n_layer_ = 0;
  int n_embd_ = 0;
  int n_batch_ = 0;
};

}  // namespace steer
