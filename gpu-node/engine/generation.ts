// One generation request, from its validated options to the events its caller reads. The lane that
// runs it (lane.ts) feeds it sampled tokens; everything about turning tokens into a response lives
// here: text decoding, stop sequences, limits, finish reason, usage. Options are checked by the same
// rules as the HTTP requests they come from (shared/openai/chat.ts's schemas), so a limit is one.
import { z } from "zod";
import { paramPath } from "../../shared/http/api-error.ts";
import { DEFAULT_MAX_TOKENS } from "../../shared/limits.ts";
import { type ChatMessage, chatRequestFields, samplingFields } from "../../shared/openai/chat.ts";
import { Channel } from "./channel.ts";
import { EngineError } from "./errors.ts";
import type { Model } from "./model.ts";
import { type NativeSampler, NO_TOKEN, type SamplerOptions } from "./native.ts";
import type { GenerationSteering, Steering, TermReport } from "./steering.ts";
import { StopSequenceFilter } from "./stop-sequences.ts";
import { TokenTextDecoder } from "./token-text.ts";

export interface SamplingOptions {
  /** 0 (the default) is greedy decoding. */
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  repetitionPenalty?: number;
  seed?: number;
}

export type PromptInput =
  | { prompt: string; messages?: undefined }
  | { messages: readonly ChatMessage[]; prompt?: undefined };

export type GenerateOptions = PromptInput & {
  /** Prompt and completion must fit the context; by default DEFAULT_MAX_TOKENS, or what fits. */
  maxNewTokens?: number;
  sampling?: SamplingOptions;
  stop?: readonly string[];
  steering?: Steering;
  /** A GBNF grammar (root rule `root`) the answer follows, token by token (grammar.ts makes one
   * from a JSON schema); once it is complete, the answer ends. */
  grammar?: string;
  signal?: AbortSignal;
};

export type FinishReason = "stop" | "length" | "cancelled";

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type GenerationEvent =
  /** New text, and the tokens it came from (a token's text can wait for the next ones). */
  | { type: "text"; text: string; tokens: number[] }
  | {
      type: "end";
      finishReason: FinishReason;
      usage: Usage;
      /** Per steering term, in the order given: what was applied (empty: it did not steer). */
      steering: TermReport[];
    };

/** A request in flight: its prompt still to decode, its sampler, and what it has produced. */
export class Generation {
  readonly events = new Channel<GenerationEvent>();
  readonly promptTokens: number[];
  /** Tokens of this sequence in the KV cache: the next one decodes at this position. */
  cached = 0;
  /** The token sampled last, still to be decoded so the next can be drawn. */
  nextToken: number | null = null;
  completionTokens = 0;
  finished = false;

  private readonly decoder: TokenTextDecoder;
  private unsentTokens: number[] = [];
  private readonly stops: StopSequenceFilter;
  private readonly signal: AbortSignal | undefined;
  private readonly cancel = () => this.finish("cancelled");

  constructor(
    readonly model: Model,
    promptTokens: number[],
    /** What fits the context with the prompt: newTokenLimit(). */
    private readonly maxNewTokens: number,
    options: GenerateOptions,
    readonly steering: GenerationSteering,
    readonly sampler: NativeSampler,
  ) {
    this.promptTokens = promptTokens;
    this.decoder = new TokenTextDecoder(model.native);
    this.stops = new StopSequenceFilter(options.stop ?? []);
    // Cancelling ends the stream at once; the lane frees the slot before its next decode.
    this.signal = options.signal;
    this.signal?.addEventListener("abort", this.cancel, { once: true });
  }

  get promptPending(): number {
    return this.promptTokens.length - Math.min(this.cached, this.promptTokens.length);
  }

  /** Takes a token the lane sampled for this request; finishes when it ends the answer. */
  accept(token: number): void {
    if (this.finished) return; // cancelled while its decode ran
    if (token === NO_TOKEN) {
      // Only a vocabulary that cannot spell some text the grammar needs gets here: Llama 3's
      // byte tokens spell anything.
      const message = "the grammar allows no token of this model's vocabulary here";
      this.fail(new EngineError("invalid_request", message, "grammar"));
      return;
    }
    const reason = this.take(token);
    if (reason) this.finish(reason);
    else this.nextToken = token;
  }

  /** Emits the token's text; says why generation ends here, if it does. */
  private take(token: number): FinishReason | null {
    if (this.model.native.isEndOfGeneration(token)) {
      this.flush(); // text held back for a possible stop sequence was not one
      return "stop";
    }
    this.completionTokens++;
    this.unsentTokens.push(token);
    const { text, stopped } = this.stops.push(this.decoder.push(token));
    if (text) this.emit(text);
    if (stopped) return "stop";
    // The prompt and maxNewTokens fit the context, so the cache never runs out before this.
    if (this.completionTokens >= this.maxNewTokens) return "length";
    return null;
  }

  /** Ends the stream. After a stop sequence, the text held back is the stop itself: dropped. */
  finish(reason: FinishReason): void {
    if (this.finished) return;
    this.end();
    this.nextToken = null;
    if (reason !== "stop") this.flush();
    this.events.push({
      type: "end",
      finishReason: reason,
      usage: { promptTokens: this.promptTokens.length, completionTokens: this.completionTokens },
      steering: this.steering.report(),
    });
    this.events.close();
  }

  private flush(): void {
    const rest = this.stops.flush() + this.decoder.flush();
    if (rest) this.emit(rest);
  }

  private emit(text: string): void {
    this.events.push({ type: "text", text, tokens: this.unsentTokens });
    this.unsentTokens = [];
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.end();
    this.events.close(error);
  }

  private end(): void {
    this.finished = true;
    this.signal?.removeEventListener("abort", this.cancel);
  }
}

/** Checks every option before any work starts; the error names the option. */
export function validateGenerateOptions(options: GenerateOptions): void {
  if ((options.prompt === undefined) === (options.messages === undefined)) {
    throw new EngineError("invalid_request", "give exactly one of prompt or messages", "prompt");
  }
  if (options.messages !== undefined)
    check(chatRequestFields.messages, options.messages, "messages");
  check(samplingFields.max_tokens, options.maxNewTokens, "maxNewTokens");
  const sampling = options.sampling ?? {};
  for (const [option, field] of Object.entries(SAMPLING_FIELDS)) {
    check(samplingFields[field], sampling[option as keyof SamplingOptions], `sampling.${option}`);
  }
  check(samplingFields.stop, options.stop, "stop");
  check(grammarRule, options.grammar, "grammar");
}

/** Empty would be no grammar at all to llama.cpp: say so rather than generate unconstrained. */
const grammarRule = z.string().min(1, "a grammar must not be empty").optional();

/** Each sampling option's request field (shared/openai/chat.ts), whose schema is its rule. */
export const SAMPLING_FIELDS = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  minP: "min_p",
  repetitionPenalty: "repetition_penalty",
  seed: "seed",
} as const satisfies Record<keyof SamplingOptions, keyof typeof samplingFields>;

/** The first issue `rule` finds in `value`, as an invalid_request naming the option. */
function check(rule: z.ZodType, value: unknown, option: string): void {
  const issue = rule.safeParse(value).error?.issues[0];
  if (!issue) return;
  const param = paramPath([option, ...issue.path]) ?? option;
  throw new EngineError("invalid_request", `${param}: ${issue.message}`, param);
}

/**
 * How many tokens a request may make: its prompt and completion must fit the context. A
 * maxNewTokens past what the prompt leaves is refused before any work; the default
 * (DEFAULT_MAX_TOKENS) is cut to what is left, so a request that gives none still runs.
 */
export function newTokenLimit(
  maxNewTokens: number | undefined,
  promptTokens: number,
  contextSize: number,
): number {
  if (promptTokens >= contextSize) {
    throw new EngineError(
      "context_overflow",
      `the prompt is ${promptTokens} tokens; the context holds ${contextSize}`,
      "prompt",
    );
  }
  const room = contextSize - promptTokens;
  if (maxNewTokens === undefined) return Math.min(DEFAULT_MAX_TOKENS, room);
  if (maxNewTokens > room) {
    throw new EngineError(
      "context_overflow",
      `${maxNewTokens} new tokens do not fit: the context holds ${contextSize} tokens and the prompt takes ${promptTokens}, leaving at most ${room}`,
      "maxNewTokens",
    );
  }
  return maxNewTokens;
}

export function samplerOptions(options: GenerateOptions): SamplerOptions {
  const sampling = options.sampling ?? {};
  return { ...sampling, temperature: sampling.temperature ?? 0, grammar: options.grammar };
}
