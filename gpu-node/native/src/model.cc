#include "model.h"

#include <string>
#include <vector>

#include "log.h"

namespace steer {

Napi::FunctionReference Model::constructor;

namespace {

class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, std::string path, int gpu_layers)
      : Napi::AsyncWorker(env), deferred_(env), path_(std::move(path)), gpu_layers_(gpu_layers) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    llama_model_params params = llama_model_default_params();
    params.n_gpu_layers = gpu_layers_;
    // Without a callback llama.cpp prints progress dots; the caller reports progress its own way.
    params.progress_callback = [](float, void*) { return true; };
    take_recent_errors();
    model_ = llama_model_load_from_file(path_.c_str(), params);
    if (model_ == nullptr) {
      std::string why = take_recent_errors();
      SetError("failed to load model from " + path_ + (why.empty() ? "" : ": " + why));
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    deferred_.Resolve(Model::NewFromPointer(env, model_));
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string path_;
  int gpu_layers_;
  llama_model* model_ = nullptr;
};

std::string meta_string(int32_t (*read)(const llama_model*, int32_t, char*, size_t),
                        const llama_model* model, int32_t index) {
  int32_t n = read(model, index, nullptr, 0);
  if (n < 0) return "";
  std::string out(static_cast<size_t>(n) + 1, '\0');
  read(model, index, out.data(), out.size());
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

void Model::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(
      env, "Model",
      {
          StaticMethod("load", &Model::Load),
          InstanceMethod("info", &Model::Info),
          InstanceMethod("tokenize", &Model::Tokenize),
          InstanceMethod("tokenToPiece", &Model::TokenToPiece),
          InstanceMethod("isEndOfGeneration", &Model::IsEndOfGeneration),
      });
  constructor = Napi::Persistent(ctor);
  exports.Set("Model", ctor);
}

Napi::Value Model::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "load(path, options): path must be a string");
  int gpu_layers = 0;
  if (info[1].IsObject()) {
    Napi::Value v = info[1].As<Napi::Object>().Get("gpuLayers");
    if (v.IsNumber()) gpu_layers = v.As<Napi::Number>().Int32Value();
  }
  auto* worker = new LoadWorker(env, info[0].As<Napi::String>(), gpu_layers);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Object Model::NewFromPointer(Napi::Env env, llama_model* model) {
  return constructor.New({Napi::External<llama_model>::New(env, model)});
}

Model* Model::Unwrap(Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(constructor.Value())) {
    throw Napi::TypeError::New(value.Env(), "expected a Model");
  }
  return ObjectWrap<Model>::Unwrap(value.As<Napi::Object>());
}

Model::Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "use Model.load(path)");
  model_ = info[0].As<Napi::External<llama_model>>().Data();
}

Model::~Model() {
  if (model_ != nullptr) llama_model_free(model_);
}

// Everything the engine reports about the model: shape, vocabulary, chat template, raw metadata.
Napi::Value Model::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Unwrap(Value());
  const llama_vocab* v = vocab();
  Napi::Object out = Napi::Object::New(env);

  char desc[256];
  llama_model_desc(model_, desc, sizeof(desc));
  out.Set("description", desc);
  out.Set("layerCount", llama_model_n_layer(model_));
  out.Set("embeddingSize", llama_model_n_embd(model_));
  out.Set("headCount", llama_model_n_head(model_));
  out.Set("headCountKv", llama_model_n_head_kv(model_));
  out.Set("contextLength", llama_model_n_ctx_train(model_));
  out.Set("vocabularySize", llama_vocab_n_tokens(v));
  out.Set("parameterCount", static_cast<double>(llama_model_n_params(model_)));
  out.Set("sizeBytes", static_cast<double>(llama_model_size(model_)));
  out.Set("bosToken", llama_vocab_bos(v));
  out.Set("eosToken", llama_vocab_eos(v));
  out.Set("addBos", llama_vocab_get_add_bos(v));
  const char* tmpl = llama_model_chat_template(model_, nullptr);
  out.Set("chatTemplate", tmpl != nullptr ? Napi::Value(Napi::String::New(env, tmpl)) : env.Null());

  Napi::Object metadata = Napi::Object::New(env);
  int32_t count = llama_model_meta_count(model_);
  for (int32_t i = 0; i < count; i++) {
    metadata.Set(meta_string(llama_model_meta_key_by_index, model_, i),
                 meta_string(llama_model_meta_val_str_by_index, model_, i));
  }
  out.Set("metadata", metadata);
  return out;
}

// tokenize(text, addSpecial, parseSpecial): Int32Array
Napi::Value Model::Tokenize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Unwrap(Value());
  std::string text = info[0].As<Napi::String>();
  bool add_special = info[1].ToBoolean();
  bool parse_special = info[2].ToBoolean();
  std::vector<llama_token> tokens(text.size() + 2);
  int32_t n = llama_tokenize(vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                             static_cast<int32_t>(tokens.size()), add_special, parse_special);
  if (n < 0) {
    tokens.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                       static_cast<int32_t>(tokens.size()), add_special, parse_special);
  }
  if (n < 0) throw Napi::Error::New(env, "tokenization failed");
  Napi::Int32Array out = Napi::Int32Array::New(env, static_cast<size_t>(n));
  std::copy(tokens.begin(), tokens.begin() + n, out.Data());
  return out;
}

// tokenToPiece(token, special): Uint8Array. Bytes, not a string: one token can hold part of a
// UTF-8 character, and only the caller, seeing the next tokens, can decode it.
Napi::Value Model::TokenToPiece(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Unwrap(Value());
  llama_token token = info[0].As<Napi::Number>().Int32Value();
  bool special = info[1].ToBoolean();
  if (token < 0 || token >= llama_vocab_n_tokens(vocab())) {
    throw Napi::RangeError::New(env, "token id out of range");
  }
  char buf[256];
  int32_t n = llama_token_to_piece(vocab(), token, buf, sizeof(buf), 0, special);
  if (n < 0) throw Napi::Error::New(env, "token piece too long");
  return Napi::Buffer<char>::Copy(env, buf, static_cast<size_t>(n));
}

Napi::Value Model::IsEndOfGeneration(const Napi::CallbackInfo& info) {
  Unwrap(Value());
  return Napi::Boolean::New(info.Env(),
                            llama_vocab_is_eog(vocab(), info[0].As<Napi::Number>().Int32Value()));
}

}  // namespace steer
