#include "json-schema.h"

#include <exception>
#include <string>

#include "json-schema-to-grammar.h"

namespace steer {

Napi::Value JsonSchemaToGrammar(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "jsonSchemaToGrammar takes the schema as JSON text");
  const std::string text = info[0].As<Napi::String>();
  try {
    // force_gbnf: the prebuilt library has no llguidance, but ask for GBNF explicitly all the same.
    return Napi::String::New(env, json_schema_to_grammar(common_json::parse(text), /* force_gbnf= */ true));
  } catch (const std::exception& error) {
    throw Napi::Error::New(env, error.what());
  }
}

}  // namespace steer
