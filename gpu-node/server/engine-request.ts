// A generation request as the engine's options, one function per route kind, each with the way
// back: the request field each engine option came from, so that an engine error (EngineError.param)
// names what the client sent. Chat's prompt is its messages, a text completion's its prompt; the
// sampling fields, stop and steering are the same in both.
import type { z } from "zod";
import type {
  nodeChatRequestSchema,
  nodeCompletionRequestSchema,
} from "../../shared/node-api/generation.ts";
import {
  type GenerateOptions,
  type PromptInput,
  SAMPLING_FIELDS,
  type SamplingOptions,
} from "../engine/generation.ts";
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

/** What a route kind gives of its own: its prompt, its token limit, and their fields. */
interface OwnFields {
  prompt: PromptInput;
  maxNewTokens: number | null | undefined;
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
  const fieldOf = (param: string): string => {
    const term = /^steering\[(\d+)\]/.exec(param);
    if (term) return `steering.${steering[Number(term[1])]?.[0]}`;
    const sampling = /^sampling\.(\w+)$/.exec(param)?.[1] as keyof SamplingOptions | undefined;
    if (sampling) return SAMPLING_FIELDS[sampling];
    // One stop sequence was sent as a string: the engine has it as a list of one.
    if (param.startsWith("stop") && typeof stop === "string") return "stop";
    if (param === "prompt" || param === "maxNewTokens") return own.fields[param];
    return param;
  };
  return { options, fieldOf };
}

function samplingOptions(request: CommonFields): SamplingOptions {
  const entries = Object.entries(SAMPLING_FIELDS).map(([option, field]) => [
    option,
    request[field] ?? undefined,
  ]);
  return Object.fromEntries(entries);
}
