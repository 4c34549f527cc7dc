#include "sampler.h"

#include <algorithm>

#include "model.h"

namespace steer {

Napi::FunctionReference Sampler::constructor;

namespace {

double number_or(const Napi::Object& options, const char* key, double fallback) {
  Napi::Value v = options.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

}  // namespace

void Sampler::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "Sampler", {InstanceMethod("free", &Sampler::Free)});
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

  chain_ = llama_sampler_chain_init(llama_sampler_chain_default_params());
  if (repetition_penalty != 1) {
    const int32_t last_n = static_cast<int32_t>(number_or(o, "penaltyLastN", 64));
    const int32_t n_vocab = llama_vocab_n_tokens(model->vocab());
    llama_sampler_chain_add(chain_, llama_sampler_init_penalties(n_vocab, last_n, repetition_penalty, 0, 0));
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

// Plain greedy is an argmax over the logits. llama_sampler_sample would first copy all of them
// into a candidate list (128k entries for Llama 3), a measurable share of a small model's step.
llama_token Sampler::Sample(llama_context* ctx, int32_t row) {
  if (!plain_greedy_) return llama_sampler_sample(chain_, ctx, row);
  const float* logits = llama_get_logits_ith(ctx, row);
  const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
  return static_cast<llama_token>(std::max_element(logits, logits + n_vocab) - logits);
}

Sampler::~Sampler() {
  if (chain_ != nullptr) llama_sampler_free(chain_);
}

void Sampler::Free(const Napi::CallbackInfo&) {
  if (chain_ != nullptr) llama_sampler_free(chain_);
  chain_ = nullptr;
}

}  // namespace steer
