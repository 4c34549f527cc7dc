// One generation request, from its validated options to the events its caller reads. The lane that
// runs it (lane.ts) feeds it sampled tokens; everything about turning tokens into a response lives
// here: text decoding, stop sequences, limits, finish reason, usage.

import { Channel } from "./channel.ts";
import type { ChatMessage } from "./chat-template.ts";
import { EngineError } from "./errors.ts";
import type { Model } from "./model.ts";
import type { NativeSampler, SamplerOptions } from "./native.ts";
import type { ComposedSteering, Steering } from "./steering.ts";
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
  maxNewTokens?: number;
  sampling?: SamplingOptions;
  stop?: readonly string[];
  steering?: Steering;
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
  | { type: "end"; finishReason: FinishReason; usage: Usage };

export const DEFAULT_MAX_NEW_TOKENS = 256;
const MAX_STOP_SEQUENCES = 16;

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
  private readonly maxNewTokens: number;
  private readonly signal: AbortSignal | undefined;
  private readonly cancel = () => this.finish("cancelled");

  constructor(
    readonly model: Model,
    promptTokens: number[],
    options: GenerateOptions,
    readonly steering: ComposedSteering | null,
    readonly sampler: NativeSampler,
    private readonly contextSize: number,
  ) {
    this.promptTokens = promptTokens;
    this.maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
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
    if (this.completionTokens >= this.maxNewTokens) return "length";
    // The sampled token must be decoded before the next one is drawn; that needs a cache slot.
    if (this.cached >= this.contextSize) return "length";
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

/** Checks every option before any work starts; the message names the field. */
export function validateGenerateOptions(options: GenerateOptions): void {
  const fail = (param: string, message: string): never => {
    throw new EngineError("invalid_request", message, param);
  };
  if ((options.prompt === undefined) === (options.messages === undefined)) {
    fail("prompt", "give exactly one of prompt or messages");
  }
  if (options.messages !== undefined) validateMessages(options.messages);
  const max = options.maxNewTokens;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    fail("maxNewTokens", "maxNewTokens must be a positive integer");
  }
  const s = options.sampling ?? {};
  const check = (name: keyof SamplingOptions, ok: (v: number) => boolean, rule: string) => {
    const v = s[name];
    if (v !== undefined && !(Number.isFinite(v) && ok(v)))
      fail(`sampling.${name}`, `${name} ${rule}`);
  };
  check("temperature", (v) => v >= 0, "must be >= 0");
  check("topP", (v) => v > 0 && v <= 1, "must be in (0, 1]");
  check("topK", (v) => Number.isInteger(v) && v >= 0, "must be an integer >= 0");
  check("minP", (v) => v >= 0 && v <= 1, "must be in [0, 1]");
  check("repetitionPenalty", (v) => v > 0, "must be > 0");
  check(
    "seed",
    (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    "must be an integer in [0, 2^32)",
  );
  const stop = options.stop ?? [];
  if (stop.length > MAX_STOP_SEQUENCES)
    fail("stop", `at most ${MAX_STOP_SEQUENCES} stop sequences`);
  if (stop.some((s) => typeof s !== "string" || s.length === 0)) {
    fail("stop", "stop sequences must be non-empty strings");
  }
}

const ROLES = new Set(["system", "user", "assistant"]);

function validateMessages(messages: readonly ChatMessage[]): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new EngineError("invalid_request", "messages must be a non-empty array", "messages");
  }
  messages.forEach((message, i) => {
    if (!ROLES.has(message?.role) || typeof message.content !== "string") {
      throw new EngineError(
        "invalid_request",
        "each message needs a role (system, user or assistant) and a string content",
        `messages[${i}]`,
      );
    }
  });
}

export function samplerOptions(sampling: SamplingOptions = {}): SamplerOptions {
  return { ...sampling, temperature: sampling.temperature ?? 0 };
}
