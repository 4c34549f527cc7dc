// JSON schema to GBNF grammar, by llama.cpp's own converter (libllama-common's
// json_schema_to_grammar, the one llama-server uses for response_format).
#pragma once
#include <napi.h>

namespace steer {

// jsonSchemaToGrammar(schemaJson: string): string. A schema the converter refuses (or text that is
// not JSON) throws a JS Error with the converter's message.
Napi::Value JsonSchemaToGrammar(const Napi::CallbackInfo& info);

}  // namespace steer
