// Every serving setting of `steer serve`, in one table: its flag (named as llama.cpp's server names
// it, where it has one), the environment variable that sets it too (the flag wins), its default and
// its check. serve.ts turns the settings into the engine's and the app's options, prints them at
// start, and GET /v1/models shows them, so an operator sees what a node runs with.
import { availableParallelism } from "node:os";
import { MAX_JSON_BODY_BYTES, MAX_VECTOR_BYTES } from "../../shared/limits.ts";
import { UsageError } from "../cli/args.ts";
import { KV_CACHE_TYPES, type KvCacheType } from "../engine/native.ts";
import { DEFAULT_MAX_QUEUE_DEPTH } from "./app.ts";

export type FlashAttention = "on" | "off" | "auto";

const UNQUANTIZED: readonly KvCacheType[] = ["f32", "f16", "bf16"];

export interface ServeSettings {
  /** Requests decoding together in one lane (llama-server's slots). */
  parallel: number;
  /** Lanes: contexts decoding side by side, each of `parallel` requests. */
  lanes: number;
  /** Most tokens one decode takes. */
  batchSize: number;
  /** Tokens of prompt and answer one request may hold; null: the model's, at most 4096. */
  ctxSize: number | null;
  /** Layers offloaded to the GPU; null: all of them when a GPU is found, else none. */
  gpuLayers: number | null;
  flashAttn: FlashAttention;
  cacheTypeK: KvCacheType;
  cacheTypeV: KvCacheType;
  /** CPU threads per decode. */
  threads: number;
  /** Requests waiting for a slot beyond which new ones get 503 + Retry-After. */
  queueDepth: number;
  /** The largest JSON body, and the largest vector upload, the node reads. */
  maxBodyBytes: number;
  maxVectorBytes: number;
}

interface Setting<K extends keyof ServeSettings> {
  flag: string;
  /** What the usage says of it. */
  help: string;
  fallback: () => ServeSettings[K];
  parse: (text: string, name: string) => ServeSettings[K];
}

/** The settings, in the order they are printed (`flag` as llama-server spells it, where it can). */
export const SERVE_SETTINGS: { [K in keyof ServeSettings]: Setting<K> } = {
  parallel: {
    flag: "parallel",
    help: "requests decoding together in a lane (8)",
    fallback: () => 8,
    parse: (text, name) => integer(text, name, 1),
  },
  lanes: {
    flag: "lanes",
    help: "lanes, each a llama.cpp context of --parallel requests (1)",
    fallback: () => 1,
    parse: (text, name) => integer(text, name, 1),
  },
  batchSize: {
    flag: "batch-size",
    help: "most tokens one decode takes, at least --parallel (512)",
    fallback: () => 512,
    parse: (text, name) => integer(text, name, 1),
  },
  ctxSize: {
    flag: "ctx-size",
    help: "tokens of prompt and answer per request (the model's, at most 4096; llama-server divides its --ctx-size among its slots, here each request gets it whole)",
    fallback: () => null,
    parse: (text, name) => integer(text, name, 1),
  },
  gpuLayers: {
    flag: "gpu-layers",
    help: "layers offloaded to the GPU, or all (all when a GPU is found, else 0)",
    fallback: () => null,
    parse: (text, name) => (text === "all" ? -1 : integer(text, name, 0)),
  },
  flashAttn: {
    flag: "flash-attn",
    help: "on, off or auto (auto: llama.cpp decides)",
    fallback: () => "auto",
    parse: (text, name) => oneOf(text, name, ["on", "off", "auto"] as const),
  },
  cacheTypeK: {
    flag: "cache-type-k",
    help: `KV cache type of keys: ${KV_CACHE_TYPES.join(", ")} (f16)`,
    fallback: () => "f16",
    parse: (text, name) => oneOf(text, name, KV_CACHE_TYPES),
  },
  cacheTypeV: {
    flag: "cache-type-v",
    help: "of values, the same types (f16); a quantized one needs --flash-attn on",
    fallback: () => "f16",
    parse: (text, name) => oneOf(text, name, KV_CACHE_TYPES),
  },
  threads: {
    flag: "threads",
    help: "CPU threads per decode (all cores)",
    fallback: () => availableParallelism(),
    parse: (text, name) => integer(text, name, 1),
  },
  queueDepth: {
    flag: "queue-depth",
    help: `requests waiting for a slot before new ones get 503 (${DEFAULT_MAX_QUEUE_DEPTH})`,
    fallback: () => DEFAULT_MAX_QUEUE_DEPTH,
    parse: (text, name) => integer(text, name, 0),
  },
  maxBodyBytes: {
    flag: "max-body-bytes",
    help: `the largest JSON body read (${MAX_JSON_BODY_BYTES}, the edge's own limit)`,
    fallback: () => MAX_JSON_BODY_BYTES,
    parse: (text, name) => integer(text, name, 1024),
  },
  maxVectorBytes: {
    flag: "max-vector-bytes",
    help: `the largest vector upload (${MAX_VECTOR_BYTES})`,
    fallback: () => MAX_VECTOR_BYTES,
    parse: (text, name) => integer(text, name, 1024),
  },
};

/** The flags, as parseArgs takes them. */
export const SETTING_OPTIONS = Object.fromEntries(
  Object.values(SERVE_SETTINGS).map(({ flag }) => [flag, { type: "string" as const }]),
) as Record<string, { type: "string" }>;

/** A setting's environment variable: STEER_ and its flag, e.g. STEER_BATCH_SIZE. */
export function envOf(flag: string): string {
  return `STEER_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** The usage's lines: each flag, its variable, and what it sets. */
export function settingsUsage(): string {
  return Object.values(SERVE_SETTINGS)
    .map(({ flag, help }) => `    --${flag} (${envOf(flag)}): ${help}`)
    .join("\n");
}

/** Where a setting's value came from, for the line serve prints. */
export type SettingSource = "flag" | "env" | "default";

/**
 * The settings from the flags given (`values`, by flag) and the environment, the flag first; a bad
 * value is a UsageError naming the flag or the variable it came from.
 */
export function readSettings(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): { settings: ServeSettings; sources: Record<keyof ServeSettings, SettingSource> } {
  const settings = {} as Record<string, unknown>;
  const sources = {} as Record<keyof ServeSettings, SettingSource>;
  for (const [key, setting] of Object.entries(SERVE_SETTINGS) as [
    keyof ServeSettings,
    Setting<never>,
  ][]) {
    const flag = values[setting.flag];
    const fromEnv = env[envOf(setting.flag)];
    if (typeof flag === "string") {
      settings[key] = setting.parse(flag, `--${setting.flag}`);
      sources[key] = "flag";
    } else if (fromEnv !== undefined && fromEnv !== "") {
      settings[key] = setting.parse(fromEnv, envOf(setting.flag));
      sources[key] = "env";
    } else {
      settings[key] = setting.fallback();
      sources[key] = "default";
    }
  }
  const checked = settings as unknown as ServeSettings;
  checkTogether(checked, sources);
  return { settings: checked, sources };
}

/** The rules between settings, each naming what it was set by. */
function checkTogether(
  settings: ServeSettings,
  sources: Record<keyof ServeSettings, SettingSource>,
): void {
  const name = (key: keyof ServeSettings) => {
    const { flag } = SERVE_SETTINGS[key];
    return sources[key] === "env" ? envOf(flag) : `--${flag}`;
  };
  // llama.cpp sizes its output buffer by the batch, and each request may need an output.
  if (settings.parallel > settings.batchSize) {
    throw new UsageError(
      `${name("parallel")} (${settings.parallel}) must not exceed ${name("batchSize")} (${settings.batchSize})`,
    );
  }
  // llama.cpp refuses a quantized value cache without flash attention.
  if (!UNQUANTIZED.includes(settings.cacheTypeV) && settings.flashAttn !== "on") {
    throw new UsageError(
      `${name("cacheTypeV")} ${settings.cacheTypeV} (a quantized value cache) needs ${name("flashAttn")} on`,
    );
  }
}

/** One line: each setting as its flag says it, those not left at their default marked. */
export function describeSettings(
  settings: ServeSettings,
  sources: Record<keyof ServeSettings, SettingSource>,
): string {
  return (Object.keys(SERVE_SETTINGS) as (keyof ServeSettings)[])
    .map((key) => {
      const value = settings[key];
      const shown = value === null ? "auto" : key === "gpuLayers" && value === -1 ? "all" : value;
      const from = sources[key] === "default" ? "" : ` (${sources[key]})`;
      return `${SERVE_SETTINGS[key].flag}=${shown}${from}`;
    })
    .join(" ");
}

/** The settings as GET /v1/models shows them: by flag, nulls where the engine decides. */
export function settingsByFlag(settings: ServeSettings): Record<string, string | number | null> {
  return Object.fromEntries(
    (Object.keys(SERVE_SETTINGS) as (keyof ServeSettings)[]).map((key) => [
      SERVE_SETTINGS[key].flag,
      settings[key],
    ]),
  );
}

function integer(text: string, name: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new UsageError(
      `${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function oneOf<T extends string>(text: string, name: string, choices: readonly T[]): T {
  if (!choices.includes(text as T)) {
    throw new UsageError(
      `${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(text)}`,
    );
  }
  return text as T;
}
