#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "log.h"
#include "model.h"

namespace steer {

Napi::FunctionReference Sampler::constructor;

namespace {

double number_or(const Napi::Object& options, const char* key, double fallback) {
  Napi::Value v = options.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

llama_token argmax(const float* logits, int32_t n) {
  return static_cast<llama_token>(std::max_element(logits, logits + n) - logits);
}

}  // namespace

void Sampler::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(
      env, "Sampler", {InstanceMethod("free", &Sampler::Free), InstanceMethod("stats", &Sampler::Stats)});
  constructor = Napi::Persistent(ctor);
  exports.Set("Sampler", ctor);
}

Sampler* Sampler::Unwrap(Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(constructor.Value())) {
    throw Napi::TypeError::New(value.Env(), "expected a Sampler");
  }
  Sampler* sampler = ObjectWrap<Sampler>::Unwrap(value.As<Napi::Object>());
  if (sampler->chain_ == nullptr) throw Napi::Error::New(value.Env(), "the sampler has been freed");
  return sampler;
}

// The order follows llama.cpp's own default chain: penalties first (they edit logits), then the
// filters, then temperature and the draw. Temperature 0 means greedy.
Sampler::Sampler(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Sampler>(info) {
  const Model* model = Model::Unwrap(info[0]);
  Napi::Object o = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(info.Env());
  const double temperature = number_or(o, "temperature", 0);
  const double repetition_penalty = number_or(o, "repetitionPenalty", 1);
  n_vocab_ = llama_vocab_n_tokens(model->vocab());

  Napi::Value grammar = o.Get("grammar");
  if (grammar.IsString()) {
    const std::string gbnf = grammar.As<Napi::String>();
    take_recent_errors();
    grammar_ = llama_sampler_init_grammar(model->vocab(), gbnf.c_str(), "root");
    if (grammar_ == nullptr) {
      throw Napi::Error::New(info.Env(), "invalid grammar: " + take_recent_errors());
    }
  }

  chain_ = llama_sampler_chain_init(llama_sampler_chain_default_params());
  if (repetition_penalty != 1) {
    const int32_t last_n = static_cast<int32_t>(number_or(o, "penaltyLastN", 64));
    llama_sampler_chain_add(chain_, llama_sampler_init_penalties(n_vocab_, last_n, repetition_penalty, 0, 0));
  }
  if (temperature <= 0) {
    llama_sampler_chain_add(chain_, llama_sampler_init_greedy());
    plain_greedy_ = repetition_penalty == 1;
    return;
  }
  const int32_t top_k = static_cast<int32_t>(number_or(o, "topK", 0));
  const double top_p = number_or(o, "topP", 1);
  const double min_p = number_or(o, "minP", 0);
  if (top_k > 0) llama_sampler_chain_add(chain_, llama_sampler_init_top_k(top_k));
  if (top_p < 1) llama_sampler_chain_add(chain_, llama_sampler_init_top_p(top_p, 1));
  if (min_p > 0) llama_sampler_chain_add(chain_, llama_sampler_init_min_p(min_p, 1));
  llama_sampler_chain_add(chain_, llama_sampler_init_temp(temperature));
  const uint32_t seed = static_cast<uint32_t>(number_or(o, "seed", LLAMA_DEFAULT_SEED));
  llama_sampler_chain_add(chain_, llama_sampler_init_dist(seed));
}

// A grammar over a 128k vocabulary is costly per token, so this does what llama.cpp's common
// sampler does: draw as if unconstrained, check only that token against the grammar, and apply
// the grammar to every candidate (then draw again) only when it is refused. The token taken is
// then accepted by the chain (the penalties remember it) and the grammar (which advances); once
// the grammar is complete, it allows only end-of-generation.
llama_token Sampler::Sample(llama_context* ctx, int32_t row) {
  const float* logits = llama_get_logits_ith(ctx, row);
  llama_token token = Draw(logits, false);
  if (grammar_ != nullptr && !GrammarAllows(token)) {
    token = Draw(logits, true);
    if (token == LLAMA_TOKEN_NULL) return token;  // never accepted: the grammar aborts on a token it refuses
  }
  if (!plain_greedy_) llama_sampler_accept(chain_, token);
  if (grammar_ != nullptr) llama_sampler_accept(grammar_, token);
  return token;
}

// Plain greedy unconstrained is an argmax over the logits: a candidate list would first copy all
// of them (128k entries for Llama 3), a measurable share of a small model's step.
llama_token Sampler::Draw(const float* logits, bool constrained) {
  if (plain_greedy_ && !constrained) return argmax(logits, n_vocab_);
  llama_token_data_array candidates = Candidates(logits);
  if (constrained) {
    grammar_passes_++;
    llama_sampler_apply(grammar_, &candidates);
    const auto allowed = [](const llama_token_data& d) { return d.logit != -INFINITY; };
    if (std::none_of(candidates.data, candidates.data + candidates.size, allowed)) return LLAMA_TOKEN_NULL;
  }
  llama_sampler_apply(chain_, &candidates);
  return candidates.data[candidates.selected].id;
}

bool Sampler::GrammarAllows(llama_token token) {
  llama_token_data single = {token, 1.0f, 0.0f};
  llama_token_data_array one = {&single, 1, -1, false};
  llama_sampler_apply(grammar_, &one);
  return single.logit != -INFINITY;
}

llama_token_data_array Sampler::Candidates(const float* logits) {
  candidate_lists_++;
  candidates_.resize(n_vocab_);
  for (llama_token id = 0; id < n_vocab_; id++) candidates_[id] = {id, logits[id], 0.0f};
  return {candidates_.data(), candidates_.size(), -1, false};
}

Napi::Value Sampler::Stats(const Napi::CallbackInfo& info) {
  Napi::Object stats = Napi::Object::New(info.Env());
  stats.Set("candidateLists", candidate_lists_);
  stats.Set("grammarPasses", grammar_passes_);
  return stats;
}

void Sampler::Release() {
  if (chain_ != nullptr) llama_sampler_free(chain_);
  if (grammar_ != nullptr) llama_sampler_free(grammar_);
  chain_ = nullptr;
  grammar_ = nullptr;
}

Sampler::~Sampler() { Release(); }

void Sampler::Free(const Napi::CallbackInfo&) { Release(); }

}  // namespace steer
