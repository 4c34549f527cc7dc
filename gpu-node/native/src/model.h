// A loaded GGUF model: weights (memory-mapped) and vocabulary. It lives as long as the JavaScript
// object does; the engine keeps one per file for the whole process.
#pragma once
#include <napi.h>

#include "llama.h"

namespace steer {

class Model : public Napi::ObjectWrap<Model> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  // load(path, { gpuLayers }): Promise<Model>. Loading runs off the main thread.
  static Napi::Value Load(const Napi::CallbackInfo& info);
  static Napi::Object NewFromPointer(Napi::Env env, llama_model* model);
  static Model* Unwrap(Napi::Value value);

  explicit Model(const Napi::CallbackInfo& info);
  ~Model() override;

  llama_model* model() const { return model_; }
  const llama_vocab* vocab() const { return llama_model_get_vocab(model_); }

 private:
  static Napi::FunctionReference constructor;

  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Tokenize(const Napi::CallbackInfo& info);
  Napi::Value TokenToPiece(const Napi::CallbackInfo& info);
  Napi::Value IsEndOfGeneration(const Napi::CallbackInfo& info);

  llama_model* model_ = nullptr;
};

}  // namespace steer
