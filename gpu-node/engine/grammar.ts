// Constrained answers. A generation may carry a GBNF grammar (GenerateOptions.grammar) that every
// sampled token must follow; this makes one from a JSON schema with llama.cpp's own converter, the
// one llama-server uses for response_format.
import { EngineError } from "./errors.ts";
import { native } from "./native.ts";

/** The grammar of the JSON values `schema` describes; what the converter refuses is an
 * invalid_request naming `schema`. */
export function jsonSchemaGrammar(schema: unknown): string {
  try {
    return native().addon.jsonSchemaToGrammar(JSON.stringify(schema));
  } catch (error) {
    throw new EngineError(
      "invalid_request",
      `the JSON schema cannot be turned into a grammar: ${(error as Error).message}`,
      "schema",
    );
  }
}
