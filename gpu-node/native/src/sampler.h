// One request's sampling state: a llama.cpp sampler chain (penalties, top-k, top-p, min-p,
// temperature, then a seeded draw, or greedy). It remembers the tokens it produced, which the
// repetition penalty needs, so each generating sequence owns one.
#pragma once
#include <napi.h>

#include "llama.h"

namespace steer {

class Sampler : public Napi::ObjectWrap<Sampler> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Sampler* Unwrap(Napi::Value value);

  // new Sampler(model, { temperature, topK, topP, minP, repetitionPenalty, penaltyLastN, seed })
  explicit Sampler(const Napi::CallbackInfo& info);
  ~Sampler() override;

  // The next token from the logits at batch row `row` of the context's last decode.
  llama_token Sample(llama_context* ctx, int32_t row);

 private:
  static Napi::FunctionReference constructor;
  void Free(const Napi::CallbackInfo& info);

  llama_sampler* chain_ = nullptr;
  bool plain_greedy_ = false;  // greedy with no penalty: no state, no chain needed
};

}  // namespace steer
