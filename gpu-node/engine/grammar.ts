// Constrained answers. A generation may carry a GBNF grammar (GenerateOptions.grammar) that every
// sampled token must follow; this makes one from a JSON schema with llama.cpp's own converter, the
// one llama-server uses for response_format.
import { paramPath } from "../../shared/http/api-error.ts";
import { schemaProblem } from "../../shared/structured-output/supported-schema.ts";
import { EngineError } from "./errors.ts";
import { native } from "./native.ts";

/**
 * The grammar of the JSON values `schema` describes. A schema the answer could not be held to
 * (shared/structured-output/supported-schema.ts: the converter would ignore part of it), or one
 * the converter refuses, is an invalid_request naming the place in it: `schema`, or
 * `schema.properties.age.multipleOf`, say.
 */
export function jsonSchemaGrammar(schema: unknown): string {
  const problem = schemaProblem(schema);
  if (problem) {
    const param = paramPath(["schema", ...problem.path]) ?? "schema";
    throw new EngineError("invalid_request", `${param}: ${problem.message}`, param);
  }
  try {
    return native().addon.jsonSchemaToGrammar(JSON.stringify(schema));
  } catch (error) {
    const message = `schema: llama.cpp cannot turn it into a grammar: ${(error as Error).message}`;
    throw new EngineError("invalid_request", message, "schema");
  }
}
