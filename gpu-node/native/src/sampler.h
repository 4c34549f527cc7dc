// One request's sampling state: a llama.cpp sampler chain (penalties, top-k, top-p, min-p,
// temperature, then a seeded draw, or greedy), and optionally a GBNF grammar every token must
// follow. It remembers the tokens it produced, which the repetition penalty and the grammar need,
// so each generating sequence owns one.
#pragma once
#include <napi.h>

#include <vector>

#include "llama.h"

namespace steer {

class Sampler : public Napi::ObjectWrap<Sampler> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Sampler* Unwrap(Napi::Value value);

  // new Sampler(model, { temperature, topK, topP, minP, repetitionPenalty, penaltyLastN, seed, grammar })
  explicit Sampler(const Napi::CallbackInfo& info);
  ~Sampler() override;

  // The next token from the logits at batch row `row` of the context's last decode, or
  // LLAMA_TOKEN_NULL when the grammar allows no token of the vocabulary.
  llama_token Sample(llama_context* ctx, int32_t row);

 private:
  static Napi::FunctionReference constructor;
  void Free(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  void Release();

  llama_token Draw(const float* logits, bool constrained);
  bool GrammarAllows(llama_token token);
  llama_token_data_array Candidates(const float* logits);

  llama_sampler* chain_ = nullptr;
  llama_sampler* grammar_ = nullptr;  // null: unconstrained
  int32_t n_vocab_ = 0;
  bool plain_greedy_ = false;  // greedy with no penalty: an argmax, no chain needed
  std::vector<llama_token_data> candidates_;  // the whole vocabulary's, reused between tokens
  // How often a draw built the whole vocabulary's candidate list, and how often the grammar had to
  // be applied to all of it (the token drawn first broke the grammar): the costs a grammar adds.
  double candidate_lists_ = 0;
  double grammar_passes_ = 0;
};

}  // namespace steer
