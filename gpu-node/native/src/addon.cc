// Steer's native addon: the pieces of llama.cpp that node-llama-cpp's JavaScript API does not
// expose (control vectors, hidden-state capture, grammars from JSON schemas) and the decode loop the
// engine drives, in one place.
#include <napi.h>

#include <string>

#include "context.h"
#include "ggml-backend.h"
#include "json-schema.h"
#include "llama.h"
#include "log.h"
#include "model.h"
#include "sampler.h"

namespace steer {
namespace {

// init({ backendsDir, verbose }): loads the ggml backends found in backendsDir (the CPU variants,
// and CUDA when that folder holds it) and returns the devices now available. llama.cpp loads its
// backends dynamically; loading twice is not de-duplicated, so this runs once per process.
Napi::Value InitBackends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  install_log(o.Get("verbose").ToBoolean());
  if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == nullptr) {
    std::string dir = o.Get("backendsDir").As<Napi::String>();
    ggml_backend_load_all_from_path(dir.c_str());
    llama_backend_init();
  }
  Napi::Array devices = Napi::Array::New(env);
  for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
    ggml_backend_dev_t dev = ggml_backend_dev_get(i);
    Napi::Object d = Napi::Object::New(env);
    d.Set("name", ggml_backend_dev_name(dev));
    d.Set("description", ggml_backend_dev_description(dev));
    const auto type = ggml_backend_dev_type(dev);
    d.Set("type", type == GGML_BACKEND_DEVICE_TYPE_CPU ? "cpu" : type == GGML_BACKEND_DEVICE_TYPE_GPU ? "gpu" : "other");
    devices.Set(static_cast<uint32_t>(i), d);
  }
  return devices;
}

}  // namespace
}  // namespace steer

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  using namespace steer;
  exports.Set("init", Napi::Function::New(env, InitBackends));
  exports.Set("jsonSchemaToGrammar", Napi::Function::New(env, JsonSchemaToGrammar));
  Model::Init(env, exports);
  Sampler::Init(env, exports);
  Context::Init(env, exports);
  return exports;
}

NODE_API_MODULE(steer_native, InitAddon)
