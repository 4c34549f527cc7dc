#include "context.h"

#include <cmath>
#include <string>
#include <vector>

#include "log.h"
#include "model.h"
#include "sampler.h"

namespace steer {

namespace {

uint32_t uint_or(const Napi::Object& options, const char* key, uint32_t fallback) {
  Napi::Value v = options.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : fallback;
}

// A KV cache type by llama-server's name for it (--cache-type-k/-v), or `fallback` when unset.
ggml_type cache_type_or(Napi::Env env, const Napi::Object& options, const char* key, ggml_type fallback) {
  Napi::Value v = options.Get(key);
  if (!v.IsString()) return fallback;
  const std::string name = v.As<Napi::String>().Utf8Value();
  for (ggml_type type : {GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q8_0, GGML_TYPE_Q4_0,
                         GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_IQ4_NL}) {
    if (name == ggml_type_name(type)) return type;
  }
  throw Napi::TypeError::New(env, std::string(key) + ": unknown KV cache type " + name);
}

template <typename T, typename Array>
std::vector<T> copy_array(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray()) throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a typed array");
  Array array = value.As<Array>();
  return std::vector<T>(array.Data(), array.Data() + array.ElementLength());
}

// One llama_decode with everything that belongs to that step, run on a worker thread: apply the
// control vector if it changed, decode (steering rows and capturing as asked), sample each
// sequence's next token, copy logits.
// The event loop never waits on a forward pass.
class DecodeWorker : public Napi::AsyncWorker {
 public:
  DecodeWorker(Napi::Env env, Context* context, Napi::Object self, const Napi::Object& request)
      : Napi::AsyncWorker(env), deferred_(env), context_(context) {
    self_ref_ = Napi::Persistent(self);
    tokens_ = copy_array<llama_token, Napi::Int32Array>(request.Get("tokens"), "tokens");
    positions_ = copy_array<llama_pos, Napi::Int32Array>(request.Get("positions"), "positions");
    sequences_ = copy_array<llama_seq_id, Napi::Int32Array>(request.Get("sequences"), "sequences");
    outputs_ = copy_array<uint8_t, Napi::Uint8Array>(request.Get("outputs"), "outputs");
    const size_t n = tokens_.size();
    if (n == 0 || positions_.size() != n || sequences_.size() != n || outputs_.size() != n) {
      throw Napi::RangeError::New(env, "tokens, positions, sequences and outputs must have the same non-zero length");
    }
    if (n > static_cast<size_t>(context->batch_size())) {
      throw Napi::RangeError::New(env, "batch larger than the context's batch size");
    }
    ReadControlVector(env, request.Get("controlVector"));
    ReadRowSteering(env, request.Get("rowSteering"));
    ReadConditions(env, request.Get("conditions"));
    ReadSamplers(env, request.Get("sample"));
    if (request.Get("logits").IsTypedArray()) {
      logit_rows_ = copy_array<int32_t, Napi::Int32Array>(request.Get("logits"), "logits");
      CheckOutputRows(env, logit_rows_);
    }
    ReadCapture(env, request.Get("capture"));
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    llama_context* ctx = context_->context();
    if (set_cvec_ && !ApplyControlVector(ctx)) return;

    llama_batch batch = llama_batch_init(static_cast<int32_t>(tokens_.size()), 0, 1);
    for (size_t i = 0; i < tokens_.size(); i++) {
      batch.token[i] = tokens_[i];
      batch.pos[i] = positions_[i];
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = sequences_[i];
      batch.logits[i] = outputs_[i];
    }
    batch.n_tokens = static_cast<int32_t>(tokens_.size());

    Capture* capture = context_->capture();
    if (!capture_layers_.empty()) capture->begin(capture_layers_, std::move(keep_), outputs_);
    RowSteering& rows = context_->row_steering();
    if (!row_vectors_.empty()) rows.begin(std::move(row_vectors_), row_of_token_, outputs_);
    ConditionGates& gates = context_->gates();
    if (!gates_.empty()) gates.begin(std::move(gates_), outputs_);
    take_recent_errors();
    const int32_t status = llama_decode(ctx, batch);
    llama_batch_free(batch);
    const std::string row_error = rows.end();
    gates_ = gates.end();
    if (!capture_layers_.empty()) {
      states_ = std::move(capture->states);
      capture->end();
    }
    if (status != 0) {
      SetError(DecodeError(status));
      return;
    }
    if (!row_error.empty()) {
      SetError(row_error);
      return;
    }

    for (const auto& [sampler, row] : samplers_) {
      sampled_.push_back(sampler->Sample(ctx, row));
    }
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
    for (int32_t row : logit_rows_) {
      const float* logits = llama_get_logits_ith(ctx, row);
      logits_.emplace_back(logits, logits + n_vocab);
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    context_->busy = false;
    Napi::Object result = Napi::Object::New(env);
    Napi::Int32Array sampled = Napi::Int32Array::New(env, sampled_.size());
    std::copy(sampled_.begin(), sampled_.end(), sampled.Data());
    result.Set("sampled", sampled);
    result.Set("logits", ToFloatArrays(env, logits_));
    result.Set("hidden", ToFloatArrays(env, states_));
    result.Set("conditions", GateResults(env));
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override {
    context_->busy = false;
    deferred_.Reject(error.Value());
  }

 private:
  // The context's control vector: undefined keeps the one it holds, null clears it.
  void ReadControlVector(Napi::Env env, Napi::Value value) {
    if (value.IsUndefined()) return;
    set_cvec_ = true;
    if (!value.IsNull()) cvec_ = ReadLayerVector(env, value, "controlVector");
  }

  // { vectors, rows }: rows[i] is the index in vectors of batch token i's vector, or -1.
  void ReadRowSteering(Napi::Env env, Napi::Value value) {
    if (value.IsUndefined()) return;
    if (!value.IsObject()) throw Napi::TypeError::New(env, "rowSteering must be { vectors, rows }");
    Napi::Object o = value.As<Napi::Object>();
    Napi::Value vectors = o.Get("vectors");
    if (!vectors.IsArray()) throw Napi::TypeError::New(env, "rowSteering.vectors must be an array");
    Napi::Array list = vectors.As<Napi::Array>();
    RowSteering& rows = context_->row_steering();
    rows.start();
    for (uint32_t i = 0; i < list.Length(); i++) {
      const LayerVector v = ReadLayerVector(env, list.Get(i), "rowSteering.vectors[i]");
      Napi::Float32Array buffer = list.Get(i).As<Napi::Object>().Get("buffer").As<Napi::Float32Array>();
      row_vectors_.push_back(rows.hold(buffer, v.first, v.last));
    }
    row_of_token_ = copy_array<int32_t, Napi::Int32Array>(o.Get("rows"), "rowSteering.rows");
    if (row_of_token_.size() != tokens_.size()) throw Napi::RangeError::New(env, "rowSteering.rows must match the batch length");
    for (int32_t row : row_of_token_) {
      if (row < -1 || row >= static_cast<int32_t>(row_vectors_.size())) {
        throw Napi::RangeError::New(env, "rowSteering.rows must be -1 or indices into rowSteering.vectors");
      }
    }
  }

  // { buffer, firstLayer, lastLayer }: the full buffer from layer 1 (a shorter one would leave the
  // other layers holding an earlier vector's values), applied to the layers first..last only.
  // The buffer is borrowed (LayerVector), kept alive by a reference until the decode is over.
  LayerVector ReadLayerVector(Napi::Env env, Napi::Value value, const std::string& name) {
    if (!value.IsObject()) throw Napi::TypeError::New(env, name + " must be { buffer, firstLayer, lastLayer }");
    Napi::Object o = value.As<Napi::Object>();
    Napi::Value buffer = o.Get("buffer");
    if (!buffer.IsTypedArray() || buffer.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(env, name + ".buffer must be a Float32Array");
    }
    Napi::Float32Array floats = buffer.As<Napi::Float32Array>();
    LayerVector v;
    v.data = floats.Data();
    v.size = floats.ElementLength();
    const size_t expected = static_cast<size_t>(context_->layer_count() - 1) * context_->embedding_size();
    if (v.size != expected) {
      throw Napi::RangeError::New(env, name + ".buffer must hold (layerCount - 1) * embeddingSize floats");
    }
    v.first = o.Get("firstLayer").ToNumber().Int32Value();
    v.last = o.Get("lastLayer").ToNumber().Int32Value();
    if (v.first < 1 || v.last < v.first || v.last >= context_->layer_count()) {
      throw Napi::RangeError::New(env, name + " layers must satisfy 1 <= firstLayer <= lastLayer < layerCount");
    }
    vector_refs_.push_back(Napi::Persistent(floats.As<Napi::Object>()));
    return v;
  }

  // [{ layer, direction, tokens, prior, decide, threshold, above, vector }]: see condition-gates.h.
  void ReadConditions(Napi::Env env, Napi::Value value) {
    if (value.IsUndefined()) return;
    if (!value.IsArray()) throw Napi::TypeError::New(env, "conditions must be an array");
    Napi::Array list = value.As<Napi::Array>();
    const size_t n_embd = static_cast<size_t>(context_->embedding_size());
    for (uint32_t i = 0; i < list.Length(); i++) {
      if (!list.Get(i).IsObject()) throw Napi::TypeError::New(env, "conditions[i] must be an object");
      Napi::Object o = list.Get(i).As<Napi::Object>();
      Gate gate;
      gate.layer = o.Get("layer").ToNumber().Int32Value();
      // The last layer's output holds only the tokens with logits: a condition cannot read it.
      if (gate.layer < 0 || gate.layer >= context_->layer_count() - 1) {
        throw Napi::RangeError::New(env, "conditions[i].layer must be 0 to layerCount - 2");
      }
      Napi::Value direction = o.Get("direction");
      if (!direction.IsTypedArray() || direction.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
          direction.As<Napi::Float32Array>().ElementLength() != n_embd) {
        throw Napi::TypeError::New(env, "conditions[i].direction must be a Float32Array of embeddingSize floats");
      }
      gate.direction = direction.As<Napi::Float32Array>().Data();
      vector_refs_.push_back(Napi::Persistent(direction.As<Napi::Object>()));
      gate.prior = copy_array<float, Napi::Float32Array>(o.Get("prior"), "conditions[i].prior");
      if (gate.prior.size() != n_embd) throw Napi::RangeError::New(env, "conditions[i].prior must hold embeddingSize floats");
      gate.member.assign(tokens_.size(), 0);
      for (int32_t token : copy_array<int32_t, Napi::Int32Array>(o.Get("tokens"), "conditions[i].tokens")) {
        if (token < 0 || static_cast<size_t>(token) >= tokens_.size()) {
          throw Napi::RangeError::New(env, "conditions[i].tokens must be batch positions");
        }
        gate.member[static_cast<size_t>(token)] = 1;
      }
      gate.decide = o.Get("decide").ToBoolean();
      gate.threshold = o.Get("threshold").ToNumber().DoubleValue();
      gate.above = o.Get("above").ToBoolean();
      Napi::Value vector = o.Get("vector");
      if (!vector.IsNull() && !vector.IsUndefined()) gate.vector = ReadLayerVector(env, vector, "conditions[i].vector");
      gates_.push_back(std::move(gate));
    }
  }

  // Per condition: { read: the states it read in this decode, summed; value; fired }.
  Napi::Array GateResults(Napi::Env env) const {
    Napi::Array out = Napi::Array::New(env, gates_.size());
    for (size_t i = 0; i < gates_.size(); i++) {
      const Gate& gate = gates_[i];
      Napi::Object o = Napi::Object::New(env);
      Napi::Float32Array read = Napi::Float32Array::New(env, gate.read.size());
      std::copy(gate.read.begin(), gate.read.end(), read.Data());
      o.Set("read", read);
      o.Set("value", gate.value);
      o.Set("fired", gate.fired);
      out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
  }

  void ReadSamplers(Napi::Env env, Napi::Value value) {
    if (value.IsUndefined()) return;
    if (!value.IsArray()) throw Napi::TypeError::New(env, "sample must be an array of { sampler, row }");
    Napi::Array list = value.As<Napi::Array>();
    std::vector<int32_t> rows;
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object item = list.Get(i).As<Napi::Object>();
      Napi::Value sampler = item.Get("sampler");
      samplers_.emplace_back(Sampler::Unwrap(sampler), item.Get("row").As<Napi::Number>().Int32Value());
      sampler_refs_.push_back(Napi::Persistent(sampler.As<Napi::Object>()));
      rows.push_back(samplers_.back().second);
    }
    CheckOutputRows(env, rows);
  }

  void ReadCapture(Napi::Env env, Napi::Value value) {
    if (value.IsUndefined()) return;
    if (context_->capture() == nullptr) throw Napi::Error::New(env, "this context was not created for capture");
    Napi::Object o = value.As<Napi::Object>();
    capture_layers_ = copy_array<int, Napi::Int32Array>(o.Get("layers"), "capture.layers");
    keep_ = copy_array<uint8_t, Napi::Uint8Array>(o.Get("keep"), "capture.keep");
    if (keep_.size() != tokens_.size()) throw Napi::RangeError::New(env, "capture.keep must match the batch length");
    for (int layer : capture_layers_) {
      if (layer < 0 || layer >= context_->layer_count()) throw Napi::RangeError::New(env, "capture layer out of range");
      if (layer != context_->layer_count() - 1) continue;
      for (size_t i = 0; i < keep_.size(); i++) {
        if (keep_[i] && !outputs_[i]) throw Napi::RangeError::New(env, "capturing the last layer needs outputs at every kept token");
      }
    }
  }

  void CheckOutputRows(Napi::Env env, const std::vector<int32_t>& rows) {
    for (int32_t row : rows) {
      if (row < 0 || static_cast<size_t>(row) >= outputs_.size() || !outputs_[static_cast<size_t>(row)]) {
        throw Napi::RangeError::New(env, "sample/logits rows must be batch positions with outputs");
      }
    }
  }

  bool ApplyControlVector(llama_context* ctx) {
    const int n_embd = context_->embedding_size();
    const int32_t status =
        cvec_.data == nullptr
            ? llama_set_adapter_cvec(ctx, nullptr, 0, n_embd, -1, -1)
            : llama_set_adapter_cvec(ctx, cvec_.data, cvec_.size, n_embd, cvec_.first, cvec_.last);
    if (status != 0) SetError("failed to apply the control vector: " + take_recent_errors());
    return status == 0;
  }

  static std::string DecodeError(int32_t status) {
    std::string why = take_recent_errors();
    std::string message = status == 1 ? "no room in the KV cache for this batch"
                          : status == 2 ? "decode aborted"
                                        : "llama_decode failed with status " + std::to_string(status);
    return why.empty() ? message : message + ": " + why;
  }

  static Napi::Array ToFloatArrays(Napi::Env env, const std::vector<std::vector<float>>& rows) {
    Napi::Array out = Napi::Array::New(env, rows.size());
    for (size_t i = 0; i < rows.size(); i++) {
      Napi::Float32Array array = Napi::Float32Array::New(env, rows[i].size());
      std::copy(rows[i].begin(), rows[i].end(), array.Data());
      out.Set(static_cast<uint32_t>(i), array);
    }
    return out;
  }

  Napi::Promise::Deferred deferred_;
  Context* context_;
  Napi::ObjectReference self_ref_;  // the context stays alive while its decode runs
  std::vector<Napi::ObjectReference> sampler_refs_;
  std::vector<Napi::ObjectReference> vector_refs_;  // the buffers LayerVectors borrow

  std::vector<llama_token> tokens_;
  std::vector<llama_pos> positions_;
  std::vector<llama_seq_id> sequences_;
  std::vector<uint8_t> outputs_;
  bool set_cvec_ = false;
  LayerVector cvec_;  // no data: clear the context's vector
  std::vector<RowVector> row_vectors_;
  std::vector<int32_t> row_of_token_;
  std::vector<Gate> gates_;
  std::vector<std::pair<Sampler*, int32_t>> samplers_;
  std::vector<int32_t> logit_rows_;
  std::vector<int> capture_layers_;
  std::vector<uint8_t> keep_;

  std::vector<llama_token> sampled_;
  std::vector<std::vector<float>> logits_;
  std::vector<std::vector<float>> states_;
};

}  // namespace

void Context::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "Context",
                                    {
                                        InstanceMethod("decode", &Context::Decode),
                                        InstanceMethod("clearSequence", &Context::ClearSequence),
                                        InstanceMethod("free", &Context::Free),
                                    });
  exports.Set("Context", ctor);
}

Context::Context(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Context>(info) {
  Napi::Env env = info.Env();
  Model* model = Model::Unwrap(info[0]);
  model_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
  Napi::Object o = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);

  n_layer_ = llama_model_n_layer(model->model());
  n_embd_ = llama_model_n_embd(model->model());

  llama_context_params params = llama_context_default_params();
  const uint32_t sequences = uint_or(o, "sequences", 1);
  params.n_seq_max = sequences;
  params.n_ctx = uint_or(o, "contextSize", 4096);  // shared by all sequences
  params.n_batch = uint_or(o, "batchSize", 512);
  params.n_ubatch = params.n_batch;
  const uint32_t threads = uint_or(o, "threads", 0);
  if (threads > 0) {
    params.n_threads = static_cast<int32_t>(threads);
    params.n_threads_batch = static_cast<int32_t>(threads);
  }
  params.kv_unified = o.Get("unifiedKv").ToBoolean();
  // F16 (llama.cpp's default) halves the cache; F32 keeps results within float32 rounding of an
  // exact forward pass, which the reference tests rely on; the quantized types shrink it further.
  params.type_k = cache_type_or(env, o, "cacheTypeK", params.type_k);
  params.type_v = cache_type_or(env, o, "cacheTypeV", params.type_v);
  // Flash attention: llama.cpp decides ("auto") unless told; on CPU it rounds through F16.
  Napi::Value flash = o.Get("flashAttention");
  if (flash.IsBoolean()) {
    params.flash_attn_type = flash.As<Napi::Boolean>() ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  }
  params.no_perf = true;
  if (o.Get("capture").ToBoolean()) capture_ = std::make_unique<Capture>(n_layer_, n_embd_);
  // Room on each device for the vectors of two decodes' worth of distinct steerings.
  row_steering_ = std::make_unique<RowSteering>(n_layer_, n_embd_, static_cast<int>(params.n_batch), 2 * sequences + 1);
  gates_ = ConditionGates(n_layer_, n_embd_);
  params.cb_eval = &Context::OnEval;
  params.cb_eval_user_data = this;
  n_batch_ = static_cast<int>(params.n_batch);

  take_recent_errors();
  ctx_ = llama_init_from_model(model->model(), params);
  if (ctx_ == nullptr) throw Napi::Error::New(env, "failed to create a llama context: " + take_recent_errors());
  threads_ = CpuThreadPool::Create(params.n_threads);
  if (threads_) llama_attach_threadpool(ctx_, threads_->get(), threads_->get());
}

Context::~Context() { Release(); }

// llama.cpp calls this for every node of the graph: first to ask whether we want the node's result,
// then, for a wanted one, once it is computed and before the nodes that read it run. A node not
// asked for costs nothing more: llama.cpp computes the nodes between wanted ones in one go.
bool Context::OnEval(ggml_tensor* tensor, bool ask, void* user_data) {
  auto* self = static_cast<Context*>(user_data);
  const int layer = layer_of_output(tensor, self->n_layer_, self->n_embd_);
  if (layer < 0) return !ask;  // asked: not wanted; computed: keep the graph running
  Capture* capture = self->capture_.get();
  const bool steer = self->row_steering_->wants(layer);
  const bool gate = self->gates_.wants(layer);
  const bool keep = capture != nullptr && capture->wants(layer);
  if (ask) return steer || gate || keep;
  // Steering first: a condition, like a capture, reads a state with its steering.
  if (steer && !self->row_steering_->add(tensor, layer)) return false;  // the decode reports why
  if (gate) self->gates_.apply(tensor, layer);
  if (keep) capture->copy(tensor, layer);
  return true;
}

void Context::Release() {
  if (ctx_ != nullptr) llama_free(ctx_);
  ctx_ = nullptr;
  threads_.reset();
  row_steering_.reset();
}

Context* Context::Checked(Napi::Env env) {
  if (ctx_ == nullptr) throw Napi::Error::New(env, "the context has been freed");
  if (busy) throw Napi::Error::New(env, "a decode is already running on this context");
  return this;
}

// decode({ tokens, positions, sequences, outputs, controlVector?, rowSteering?, conditions?, sample?,
//          logits?, capture? })
//   -> Promise<{ sampled: Int32Array, logits: Float32Array[], hidden: Float32Array[],
//                conditions: { read: Float32Array, value: number, fired: boolean }[] }>
Napi::Value Context::Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Checked(env);
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "decode(request): request must be an object");
  auto* worker = new DecodeWorker(env, this, Value(), info[0].As<Napi::Object>());
  busy = true;
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// Forgets a sequence's tokens so its slot can serve the next request.
void Context::ClearSequence(const Napi::CallbackInfo& info) {
  Checked(info.Env());
  llama_memory_seq_rm(llama_get_memory(ctx_), info[0].As<Napi::Number>().Int32Value(), -1, -1);
}

void Context::Free(const Napi::CallbackInfo& info) {
  Checked(info.Env());
  Release();
}

}  // namespace steer
