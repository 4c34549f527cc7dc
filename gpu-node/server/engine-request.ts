// A generation request as the engine's options, one function per route kind, each with the way
// back: the request field each engine option came from, so that an engine error (EngineError.param)
// names what the client sent. Chat's prompt is its messages, a text completion's its prompt; the
// sampling fields, stop and steering are the same in both. Chat's response_format becomes the
// grammar the answer is held to (llama.cpp's, from the JSON schema it asks for).
import type { z } from "zod";
import type {
  nodeChatRequestSchema,
  nodeCompletionRequestSchema,
} from "../../shared/node-api/generation.ts";
import { type ResponseFormat, responseJsonSchema } from "../../shared/openai/response-format.ts";
import { EngineError } from "../engine/errors.ts";
import {
  type GenerateOptions,
  type PromptInput,
  SAMPLING_FIELDS,
  type SamplingOptions,
} from "../engine/generation.ts";
import { jsonSchemaGrammar } from "../engine/grammar.ts";
import { fromEngineError } from "./errors.ts";
import type { VectorStore } from "./vector-store.ts";

type ChatRequest = z.output<typeof nodeChatRequestSchema>;
type CompletionRequest = z.output<typeof nodeCompletionRequestSchema>;
/** The fields both kinds have alike. */
type CommonFields = Omit<CompletionRequest, "prompt" | "max_tokens">;

export interface EngineRequest {
  /** The engine's options, less the signal that stops them. */
  options: GenerateOptions;
  /** The request field an engine option came from, e.g. "sampling.topP" -> "top_p". */
  fieldOf: (param: string) => string;
}

export function chatEngineRequest(request: ChatRequest, store: VectorStore): EngineRequest {
  const newer = request.max_completion_tokens != null;
  return engineRequest(request, store, {
    prompt: { messages: request.messages },
    maxNewTokens: newer ? request.max_completion_tokens : request.max_tokens,
    responseFormat: request.response_format,
    fields: { prompt: "messages", maxNewTokens: newer ? "max_completion_tokens" : "max_tokens" },
  });
}

export function completionEngineRequest(
  request: CompletionRequest,
  store: VectorStore,
): EngineRequest {
  return engineRequest(request, store, {
    prompt: { prompt: request.prompt },
    maxNewTokens: request.max_tokens,
    fields: { prompt: "prompt", maxNewTokens: "max_tokens" },
  });
}

/** What a route kind gives of its own: its prompt, its token limit, and their fields; chat's
 * response format. */
interface OwnFields {
  prompt: PromptInput;
  maxNewTokens: number | null | undefined;
  responseFormat?: ResponseFormat | null;
  fields: { prompt: string; maxNewTokens: string };
}

/** The options, each steering vector looked up in the store (404 naming `steering.<id>`). */
function engineRequest(request: CommonFields, store: VectorStore, own: OwnFields): EngineRequest {
  const steering = Object.entries(request.steering ?? {});
  const stop = request.stop ?? undefined;
  const options: GenerateOptions = {
    ...own.prompt,
    maxNewTokens: own.maxNewTokens ?? undefined,
    sampling: samplingOptions(request),
    stop: typeof stop === "string" ? [stop] : stop,
    steering: steering.map(([id, multiplier]) => ({
      vector: store.vector(id, `steering.${id}`),
      multiplier,
    })),
  };
  // The grammar, and the schema it is made of, come from response_format: its schema's field.
  const schemaField =
    own.responseFormat?.type === "json_schema"
      ? "response_format.json_schema.schema"
      : "response_format";
  const fieldOf = (param: string): string => {
    const term = /^steering\[(\d+)\]/.exec(param);
    if (term) return `steering.${steering[Number(term[1])]?.[0]}`;
    const sampling = /^sampling\.(\w+)$/.exec(param)?.[1] as keyof SamplingOptions | undefined;
    if (sampling) return SAMPLING_FIELDS[sampling];
    // One stop sequence was sent as a string: the engine has it as a list of one.
    if (param.startsWith("stop") && typeof stop === "string") return "stop";
    if (param === "prompt" || param === "maxNewTokens") return own.fields[param];
    if (param === "grammar") return schemaField;
    if (/^schema\b/.test(param)) return schemaField + param.slice("schema".length);
    return param;
  };
  const schema = responseJsonSchema(own.responseFormat);
  if (schema !== null) options.grammar = grammarOf(schema, fieldOf);
  return { options, fieldOf };
}

/** The schema's grammar; what llama.cpp's converter refuses is a 400 naming response_format's field. */
function grammarOf(schema: object, fieldOf: (param: string) => string): string {
  try {
    return jsonSchemaGrammar(schema);
  } catch (error) {
    throw error instanceof EngineError ? fromEngineError(error, fieldOf) : error;
  }
}

function samplingOptions(request: CommonFields): SamplingOptions {
  const entries = Object.entries(SAMPLING_FIELDS).map(([option, field]) => [
    option,
    request[field] ?? undefined,
  ]);
  return Object.fromEntries(entries);
}
