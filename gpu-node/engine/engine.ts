// The engine: one model, the lanes that generate with it, and a context for hidden-state capture.
// Everything a caller does goes through here.
import { availableParallelism } from "node:os";
import { type CapturedText, type CaptureOptions, captureHiddenStates } from "./capture.ts";
import { DecodeGate } from "./decode-gate.ts";
import { EngineError } from "./errors.ts";
import {
  type FinishReason,
  type GenerateOptions,
  Generation,
  type GenerationEvent,
  newTokenLimit,
  samplerOptions,
  type Usage,
  validateGenerateOptions,
} from "./generation.ts";
import { Model } from "./model.ts";
import { type KvCacheType, type NativeContext, type NativeSampler, native } from "./native.ts";
import { Scheduler } from "./scheduler.ts";
import { composeSteering, GenerationSteering, type Steering, type TermReport } from "./steering.ts";

export interface EngineOptions {
  /** KV cache tokens per request (prompt + completion). Default: the model's, at most 4096. */
  contextSize?: number;
  /** Most tokens per decode. Default 512. */
  batchSize?: number;
  /** Contexts generating at once. Default 1: one context batching everything is fastest; more
   * only add room for requests. */
  lanes?: number;
  /** Requests batched together in one lane, whatever their steering. Default 8. */
  sequencesPerLane?: number;
  /** CPU threads per decode. Default: all cores. */
  threads?: number;
  /** Layers offloaded to the GPU (-1: all, the default when one is loaded). */
  gpuLayers?: number;
  /** KV cache precision of keys and of values. Default f16. A quantized value cache needs flash
   * attention (llama.cpp's rule). */
  cacheTypeK?: KvCacheType;
  cacheTypeV?: KvCacheType;
  /** Flash attention on or off; unset lets llama.cpp decide (on where the backend supports it). */
  flashAttention?: boolean;
}

/** A generation's events gathered into one completion. */
export async function collectCompletion(
  events: AsyncIterable<GenerationEvent>,
): Promise<Completion> {
  let text = "";
  for await (const event of events) {
    if (event.type === "text") text += event.text;
    else {
      const { finishReason, usage, steering } = event;
      return { text, finishReason, usage, steering };
    }
  }
  throw new Error("generation ended without a finish event");
}

/** A generation's events, and what is known before the first: its prompt's length in tokens. */
export interface GenerationStream extends AsyncIterable<GenerationEvent> {
  readonly promptTokens: number;
}

/** The options once defaults are filled in and checked. */
type EngineSettings = Required<
  Omit<EngineOptions, "gpuLayers" | "contextSize" | "flashAttention">
> &
  Pick<EngineOptions, "flashAttention">;

export type EngineCaptureOptions = Omit<CaptureOptions, "steering"> & { steering?: Steering };

export interface Completion {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  /** Per steering term, in the order given: what was applied. */
  steering: TermReport[];
}

/** Capture runs up to this many texts per decode... */
const CAPTURE_SEQUENCES = 16;
/** ...sharing a cache of this many times the context size. */
const CAPTURE_CACHE_CONTEXTS = 2;

export class Engine {
  readonly contextSize: number;
  private readonly scheduler: Scheduler;
  /** Shared by the lanes and capture: see decode-gate.ts. */
  private readonly gate: DecodeGate;
  private captureContext: NativeContext | null = null;
  private captureQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly model: Model,
    private readonly options: EngineSettings,
    contextSize: number,
  ) {
    this.contextSize = contextSize;
    this.gate = new DecodeGate(
      native().devices.some((d) => d.type === "gpu") ? options.lanes + 1 : 1,
    );
    this.scheduler = new Scheduler({
      lanes: options.lanes,
      sequencesPerLane: options.sequencesPerLane,
      batchSize: options.batchSize,
      createContext: () =>
        this.newContext({
          sequences: options.sequencesPerLane,
          contextSize: contextSize * options.sequencesPerLane,
          capture: false,
        }),
    });
  }

  static async load(modelPath: string, options: EngineOptions = {}): Promise<Engine> {
    const model = await Model.load(modelPath, { gpuLayers: options.gpuLayers });
    const contextSize = options.contextSize ?? Math.min(model.metadata.contextLength, 4096);
    const positive = (name: string, value: number) => {
      if (!Number.isInteger(value) || value < 1) {
        throw new EngineError("invalid_request", `${name} must be a positive integer`, name);
      }
      return value;
    };
    positive("contextSize", contextSize);
    const settings: EngineSettings = {
      batchSize: positive("batchSize", options.batchSize ?? 512),
      lanes: positive("lanes", options.lanes ?? 1),
      sequencesPerLane: positive("sequencesPerLane", options.sequencesPerLane ?? 8),
      threads: positive("threads", options.threads ?? availableParallelism()),
      cacheTypeK: options.cacheTypeK ?? "f16",
      cacheTypeV: options.cacheTypeV ?? "f16",
      flashAttention: options.flashAttention,
    };
    // llama.cpp sizes its output buffer by the batch, and each sequence may need an output.
    if (settings.sequencesPerLane > settings.batchSize) {
      throw new EngineError(
        "invalid_request",
        "sequencesPerLane must not exceed batchSize",
        "sequencesPerLane",
      );
    }
    return new Engine(model, settings, contextSize);
  }

  /** Devices llama.cpp found (CPU, and the GPU when the CUDA backend is selected). */
  static devices() {
    return native().devices;
  }

  /**
   * Streams a completion. Everything is validated before this returns, so a bad request throws
   * here rather than midway through the stream.
   */
  generate(options: GenerateOptions): GenerationStream {
    this.checkOpen();
    validateGenerateOptions(options);
    const promptTokens =
      options.messages !== undefined
        ? this.model.tokenizeChat(options.messages)
        : this.model.tokenize(options.prompt);
    if (promptTokens.length === 0)
      throw new EngineError("invalid_request", "the prompt is empty", "prompt");
    const maxNewTokens = newTokenLimit(options.maxNewTokens, promptTokens.length, this.contextSize);
    const steering = new GenerationSteering(options.steering ?? [], this.model.metadata);
    const sampler = this.newSampler(options);
    const generation = new Generation(
      this.model,
      promptTokens,
      maxNewTokens,
      options,
      steering,
      sampler,
    );
    if (options.signal?.aborted) generation.finish("cancelled");
    this.scheduler.submit(generation);
    return {
      promptTokens: promptTokens.length,
      [Symbol.asyncIterator]: () => generation.events[Symbol.asyncIterator](),
    };
  }

  /** llama.cpp checks a grammar itself, when it parses it: a grammar it refuses names `grammar`. */
  private newSampler(options: GenerateOptions): NativeSampler {
    try {
      return new (native().addon.Sampler)(this.model.native, samplerOptions(options));
    } catch (error) {
      if (options.grammar === undefined) throw error;
      throw new EngineError("invalid_request", (error as Error).message, "grammar");
    }
  }

  /** The whole completion at once. */
  complete(options: GenerateOptions): Promise<Completion> {
    return collectCompletion(this.generate(options));
  }

  /** Hidden states of `texts` (raw text, BOS added as the model asks) at the chosen layers. */
  capture(texts: readonly string[], options: EngineCaptureOptions): Promise<CapturedText[]> {
    this.checkOpen();
    const tokenized = texts.map((text) => this.model.tokenize(text));
    return this.captureTokens(tokenized, options);
  }

  captureTokens(
    texts: readonly number[][],
    options: EngineCaptureOptions,
  ): Promise<CapturedText[]> {
    this.checkOpen();
    const steering = composeSteering(options.steering ?? [], this.model.metadata);
    // One capture at a time on the capture context; generation lanes keep running meanwhile.
    const run = this.captureQueue.then(() =>
      captureHiddenStates(this.getCaptureContext(), this.captureShape(), texts, {
        ...options,
        steering,
      }),
    );
    this.captureQueue = run.catch(() => undefined);
    return run;
  }

  get stats() {
    const { queueDepth, activeRequests, freeSequences } = this.scheduler;
    return { queueDepth, activeRequests, freeSequences };
  }

  /** Cancels what is running or waiting (their streams end "cancelled") and frees the contexts. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.scheduler.close();
    await this.captureQueue;
    this.captureContext?.free();
    this.captureContext = null;
  }

  private captureShape() {
    const { layerCount, embeddingSize } = this.model.metadata;
    return {
      layerCount,
      embeddingSize,
      contextSize: this.contextSize,
      cacheSize: this.contextSize * CAPTURE_CACHE_CONTEXTS,
      batchSize: this.options.batchSize,
      sequences: Math.min(CAPTURE_SEQUENCES, this.options.batchSize),
    };
  }

  private getCaptureContext(): NativeContext {
    const { sequences, cacheSize } = this.captureShape();
    this.captureContext ??= this.newContext({
      sequences,
      contextSize: cacheSize,
      capture: true,
    });
    return this.captureContext;
  }

  /** Every context keeps one KV cache for its sequences: capture and row steering need batch
   * order kept (see the native layer-output.h). */
  private newContext(options: {
    sequences: number;
    contextSize: number;
    capture: boolean;
  }): NativeContext {
    const { addon } = native();
    const context = new addon.Context(this.model.native, {
      ...options,
      unifiedKv: true,
      batchSize: this.options.batchSize,
      threads: this.options.threads,
      cacheTypeK: this.options.cacheTypeK,
      cacheTypeV: this.options.cacheTypeV,
      flashAttention: this.options.flashAttention,
    });
    return this.gate.guard(context);
  }

  private checkOpen(): void {
    if (this.closed) throw new EngineError("engine_closed", "the engine is closed");
  }
}
