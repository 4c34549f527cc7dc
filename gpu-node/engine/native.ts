// The native addon (gpu-node/native), typed. Everything else in the engine goes through here.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const paths: {
  cpuBinsDir: string;
  cudaBinsDir: string;
  addonFile: string;
  cudaAddonFile: string;
} = require("../native/paths.cjs");

export interface NativeDevice {
  name: string;
  description: string;
  type: "cpu" | "gpu" | "other";
}

export interface NativeModelInfo {
  description: string;
  layerCount: number;
  embeddingSize: number;
  headCount: number;
  headCountKv: number;
  contextLength: number;
  vocabularySize: number;
  parameterCount: number;
  sizeBytes: number;
  bosToken: number;
  eosToken: number;
  addBos: boolean;
  chatTemplate: string | null;
  /** Every GGUF metadata key, values as llama.cpp prints them. */
  metadata: Record<string, string>;
}

export interface NativeModel {
  info(): NativeModelInfo;
  tokenize(text: string, addSpecial: boolean, parseSpecial: boolean): Int32Array;
  tokenToPiece(token: number, special: boolean): Uint8Array;
  isEndOfGeneration(token: number): boolean;
}

export interface SamplerOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repetitionPenalty?: number;
  penaltyLastN?: number;
  seed?: number;
  /** A GBNF grammar (root rule `root`) every sampled token must follow. */
  grammar?: string;
}

export interface NativeSampler {
  /** How often a draw copied the whole vocabulary into a candidate list, and how often the
   * grammar was applied to all of it (the token drawn first broke the grammar). */
  stats(): { candidateLists: number; grammarPasses: number };
  free(): void;
}

/** What a sampler returns when its grammar allows no token of the vocabulary. */
export const NO_TOKEN = -1;

export interface ContextOptions {
  /** Tokens of KV cache, all sequences together (llama.cpp's n_ctx). Without unifiedKv, each
   * sequence gets an equal share. */
  contextSize: number;
  /** Most tokens one decode takes. */
  batchSize: number;
  /** Sequences that can live in the context at once. */
  sequences: number;
  threads?: number;
  /** One KV buffer across sequences: keeps ubatches in batch order, which capture and row
   * steering rely on (the native layer-output.h says why). */
  unifiedKv?: boolean;
  /** Make room for hidden-state capture. */
  capture?: boolean;
  cacheTypeK?: KvCacheType;
  cacheTypeV?: KvCacheType;
  /** Unset: llama.cpp decides. */
  flashAttention?: boolean;
}

/** KV cache types, as llama-server names them (--cache-type-k, --cache-type-v). */
export const KV_CACHE_TYPES = [
  "f32",
  "f16",
  "bf16",
  "q8_0",
  "q4_0",
  "q4_1",
  "q5_0",
  "q5_1",
  "iq4_nl",
] as const;

/** KV cache precision: f16 is llama.cpp's default; f32 is exact; the others are quantized. */
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];

export interface DecodeRequest {
  tokens: Int32Array;
  positions: Int32Array;
  sequences: Int32Array;
  /** 1 where the token produces logits (and may be sampled or captured at the last layer). */
  outputs: Uint8Array;
  /** The vector to add from now on; null clears it; absent keeps the context's. */
  controlVector?: NativeControlVector | null;
  /** For this decode only, on top of the context's vector: `vectors[rows[i]]` is added to batch
   * token i's layer outputs (-1: nothing), so differently steered requests share a batch. */
  rowSteering?: { vectors: NativeControlVector[]; rows: Int32Array };
  /** Conditional steering's gates, decided inside this decode (the native condition-gates.h). */
  conditions?: NativeCondition[];
  /** Draw a token for each entry from the logits at batch row `row`. */
  sample?: { sampler: NativeSampler; row: number }[];
  /** Copy the logits at these batch rows. */
  logits?: Int32Array;
  /** Copy the layer outputs of `layers` at the batch tokens where keep is 1. */
  capture?: { layers: Int32Array; keep: Uint8Array };
}

/**
 * One request's condition in one decode: it reads the output of `layer` at its batch `tokens`; where
 * it decides, the cosine of (prior + what it read) with `direction` against the threshold; once
 * that fires, `vector` is added to its tokens at the layers above `layer`, in this decode already.
 */
export interface NativeCondition {
  layer: number;
  /** embeddingSize floats; borrowed for the decode, as a control vector's buffer is. */
  direction: Float32Array;
  tokens: Int32Array;
  /** embeddingSize floats: the states it read before, summed (zeros for none). */
  prior: Float32Array;
  decide: boolean;
  threshold: number;
  /** Fires above the threshold (else below). */
  above: boolean;
  vector: NativeControlVector | null;
}

export interface NativeConditionResult {
  /** The states it read in this decode, summed. */
  read: Float32Array;
  /** The cosine, where it decided (else 0). */
  value: number;
  fired: boolean;
}

export interface NativeControlVector {
  /**
   * (layerCount - 1) * embeddingSize floats, row i for layer i + 1. A decode reads them in place
   * while it runs (it copies nothing): change none until its promise settles.
   */
  buffer: Float32Array;
  /** Only layers firstLayer..lastLayer (inclusive) are steered. */
  firstLayer: number;
  lastLayer: number;
}

export interface DecodeResult {
  sampled: Int32Array;
  logits: Float32Array[];
  /** Per captured layer: kept tokens' states, embeddingSize floats each, in batch order. */
  hidden: Float32Array[];
  /** Per condition asked, in order. */
  conditions: NativeConditionResult[];
}

export interface NativeContext {
  decode(request: DecodeRequest): Promise<DecodeResult>;
  clearSequence(sequence: number): void;
  free(): void;
}

interface NativeAddon {
  init(options: { backendsDir: string; verbose: boolean }): NativeDevice[];
  /** llama.cpp's JSON schema to GBNF converter (llama-server's); throws what it refuses. */
  jsonSchemaToGrammar(schemaJson: string): string;
  Model: { load(path: string, options: { gpuLayers: number }): Promise<NativeModel> };
  Sampler: new (model: NativeModel, options: SamplerOptions) => NativeSampler;
  Context: new (model: NativeModel, options: ContextOptions) => NativeContext;
}

/** Which prebuilt llama.cpp backends to load: `cpu` (default) or `cuda` (STEER_BACKEND=cuda). */
export type Backend = "cpu" | "cuda";

let loaded: { addon: NativeAddon; devices: NativeDevice[] } | undefined;

/**
 * Loads the addon and llama.cpp's backends, once per process. Each backend package ships its own
 * build of libllama and libggml, and the addon built against that package must load with it; the
 * CUDA package's folder holds the CPU backends too, so one folder is loaded either way.
 */
export function native(backend: Backend = backendFromEnv()): {
  addon: NativeAddon;
  devices: NativeDevice[];
} {
  if (loaded) return loaded;
  const cuda = backend === "cuda";
  const addon = require(cuda ? paths.cudaAddonFile : paths.addonFile) as NativeAddon;
  const backendsDir = cuda ? paths.cudaBinsDir : paths.cpuBinsDir;
  const devices = addon.init({ backendsDir, verbose: process.env.STEER_LLAMA_LOG === "1" });
  loaded = { addon, devices };
  return loaded;
}

export function backendFromEnv(): Backend {
  const value = process.env.STEER_BACKEND ?? "cpu";
  if (value !== "cpu" && value !== "cuda") {
    throw new Error(`STEER_BACKEND must be "cpu" or "cuda", not ${JSON.stringify(value)}`);
  }
  return value;
}
