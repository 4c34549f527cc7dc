// A generation request as the engine's options, one function per route kind, each with the way
// back: the request field each engine option came from, so that an engine error (EngineError.param)
// names what the client sent. Chat's prompt is its messages, a text completion's its prompt; the
// sampling fields, stop and steering are the same in both. Chat's response_format becomes the
// grammar the answer is held to (llama.cpp's, from the JSON schema it asks for). The way back also
// names what the engine reports of each steering term by the vector the request keyed it by.
import type { z } from "zod";
import type {
  NodeSteering,
  nodeChatRequestSchema,
  nodeCompletionRequestSchema,
} from "../../shared/node-api/generation.ts";
import { type ResponseFormat, responseJsonSchema } from "../../shared/openai/response-format.ts";
import type { SteeringReport } from "../../shared/steering/conditions.ts";
import { EngineError } from "../engine/errors.ts";
import {
  type GenerateOptions,
  type PromptInput,
  SAMPLING_FIELDS,
  type SamplingOptions,
} from "../engine/generation.ts";
import { jsonSchemaGrammar } from "../engine/grammar.ts";
import type { SteeringTerm, TermReport } from "../engine/steering.ts";
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
  /** The answer's steering_report from the engine's, per term; none when it did not steer. */
  reportOf: (terms: readonly TermReport[]) => SteeringReport | undefined;
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
    steering: steering.map(([id, value]) => steeringTerm(id, value, store)),
  };
  // The grammar, and the schema it is made of, come from response_format: its schema's field.
  const schemaField =
    own.responseFormat?.type === "json_schema"
      ? "response_format.json_schema.schema"
      : "response_format";
  const fieldOf = (param: string): string => {
    const term = /^steering\[(\d+)\](.*)$/.exec(param);
    if (term) return steeringField(steering[Number(term[1])], term[2] as string);
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
  return { options, fieldOf, reportOf: (terms) => steeringReport(request.steering ?? {}, terms) };
}

/**
 * The request field of an engine steering term's `rest` (".vector", ".multiplier", ".when.layer"):
 * its vector and a plain term's multiplier are the entry itself, `steering.<id>`.
 */
function steeringField(entry: [string, NodeSteering[string]] | undefined, rest: string): string {
  const [id, value] = entry ?? ["", 0];
  const self = rest === ".vector" || (rest === ".multiplier" && typeof value === "number");
  return `steering.${id}${self ? "" : rest}`;
}

/** A steering value as the engine's term: a multiplier, or a multiplier and its condition. */
function steeringTerm(id: string, value: NodeSteering[string], store: VectorStore): SteeringTerm {
  const vector = store.vector(id, `steering.${id}`);
  if (typeof value === "number") return { vector, multiplier: value };
  const { vector: read, ...condition } = value.when;
  return {
    vector,
    multiplier: value.multiplier,
    when: { ...condition, vector: store.vector(read, `steering.${id}.when.vector`) },
  };
}

/** The engine's report keyed as the request keyed its terms: by vector id. */
function steeringReport(
  steering: NodeSteering,
  terms: readonly TermReport[],
): SteeringReport | undefined {
  const entries = Object.entries(steering);
  if (entries.length === 0) return undefined;
  const report: SteeringReport = {};
  terms.forEach(({ multiplier, condition }, i) => {
    const [id, value] = entries[i] as [string, NodeSteering[string]];
    if (!condition || typeof value === "number") {
      report[id] = { multiplier };
      return;
    }
    const { firedAtToken, windowProjection, ...reading } = condition;
    report[id] = {
      multiplier,
      condition: {
        trait: value.when.vector,
        ...reading,
        fired_at_token: firedAtToken,
        ...(windowProjection !== undefined ? { window_projection: windowProjection } : {}),
      },
    };
  });
  return report;
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
