// steer serve: the GPU node's HTTP service on one model.
import { constants } from "node:os";
import { serve as listen } from "@hono/node-server";
import { BEARER_TOKEN_RULE, isBearerToken } from "../../shared/http/bearer.ts";
import {
  endpointOf,
  GENERATOR_OPTIONS,
  JUDGE_OPTIONS,
  numberOption,
  parse,
  required,
  UsageError,
} from "../cli/args.ts";
import { EndpointGenerator } from "../datasets/endpoint-generator.ts";
import { Engine, type EngineOptions } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { modelIdOf, resolveModelSource } from "../engine/model-source.ts";
import { EndpointJudge } from "../evaluation/endpoint-judge.ts";
import { createApp } from "./app.ts";
import { checkBackend } from "./backend-check.ts";
import { DatasetJobs } from "./dataset-jobs.ts";
import { EvaluationJobs } from "./evaluation-jobs.ts";
import { ExtractionJobs } from "./extraction-jobs.ts";
import { InFlight } from "./in-flight.ts";
import {
  describeSettings,
  readSettings,
  SETTING_OPTIONS,
  type ServeSettings,
  settingsByFlag,
} from "./settings.ts";
import { shutDown } from "./shutdown.ts";
import { VectorStore } from "./vector-store.ts";

/**
 * How long the node keeps an idle connection open, waiting for its next request. Its clients keep
 * idle connections to reuse them: the edge under `wrangler dev` (workerd) for 5 s, deployed up to
 * 900 s (Cloudflare's idle timeout to an origin). When the server closes one first, a request the
 * client sends on it as it closes is lost ("closed without response"); Node's default, 5 s, ties
 * workerd's. Longer than both, the client always closes first. (headersTimeout and requestTimeout
 * time a request as it arrives, not an idle connection: they stay Node's.)
 */
const KEEP_ALIVE_MS = 910_000;

export const SERVE_OPTIONS = {
  model: { type: "string" },
  "models-dir": { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "vectors-dir": { type: "string" },
  "shutdown-grace": { type: "string" },
  ...SETTING_OPTIONS,
  ...JUDGE_OPTIONS,
  ...GENERATOR_OPTIONS,
} as const;

export async function serve(argv: string[]): Promise<void> {
  const o = parse(argv, SERVE_OPTIONS);
  const modelSpec = required(o.model, "--model");
  const port = numberOption(o.port, "--port") ?? 8080;
  const hostname = o.host ?? "127.0.0.1";
  const grace = numberOption(o["shutdown-grace"], "--shutdown-grace") ?? 30;
  if (grace < 0) throw new UsageError("--shutdown-grace must be 0 or more seconds");
  const token = process.env.STEER_NODE_TOKEN || undefined;
  // A token no client could send would make the node refuse everyone: say so at once.
  if (token && !isBearerToken(token))
    throw new UsageError(`STEER_NODE_TOKEN: ${BEARER_TOKEN_RULE}`);
  const judgeEndpoint = endpointOf(o, "judge");
  const generatorEndpoint = endpointOf(o, "generator");
  const { settings, sources } = readSettings(o);
  const modelPath = await modelPathOf(modelSpec, o["models-dir"]);
  const engine = await Engine.load(modelPath, engineOptions(settings));
  await checkBackend(engine).catch(async (error) => {
    await engine.close();
    throw error;
  });
  process.stdout.write(`steer serve: ${describeSettings(settings, sources)}\n`);
  const { layerCount, embeddingSize } = engine.model.metadata;
  const store = await VectorStore.open(o["vectors-dir"] ?? ".cache/vectors", {
    layerCount,
    embeddingSize,
  });
  let closing = false;
  const extractions = new ExtractionJobs(engine, store);
  const evaluations = new EvaluationJobs(engine);
  const datasets = new DatasetJobs();
  const inFlight = new InFlight();
  const app = createApp({
    engine,
    store,
    extractions,
    evaluations,
    datasets,
    inFlight,
    modelId: modelIdOf(modelSpec),
    judge: judgeEndpoint && new EndpointJudge(judgeEndpoint),
    generator: generatorEndpoint && new EndpointGenerator(generatorEndpoint),
    token,
    isClosing: () => closing,
    maxQueueDepth: settings.queueDepth,
    maxJsonBytes: settings.maxBodyBytes,
    maxVectorBytes: settings.maxVectorBytes,
    serving: settingsByFlag(settings),
  });
  const serverOptions = { keepAliveTimeout: KEEP_ALIVE_MS };
  const server = listen({ fetch: app.fetch, port, hostname, serverOptions }, (info) => {
    const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
    process.stdout.write(`steer serve: listening on http://${host}:${info.port}\n`);
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (closing) {
        process.stderr.write(`steer serve: ${signal} again; stopping at once\n`);
        process.exit(128 + constants.signals[signal]);
      }
      closing = true;
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const jobs = [extractions, evaluations, datasets];
  await shutDown({ server, engine, jobs, inFlight, graceMs: grace * 1000 });
}

/** The engine's options for the settings (null: the engine's own default). */
function engineOptions(settings: ServeSettings): EngineOptions {
  return {
    sequencesPerLane: settings.parallel,
    lanes: settings.lanes,
    batchSize: settings.batchSize,
    contextSize: settings.ctxSize ?? undefined,
    gpuLayers: settings.gpuLayers ?? undefined,
    flashAttention: settings.flashAttn === "auto" ? undefined : settings.flashAttn === "on",
    cacheTypeK: settings.cacheTypeK,
    cacheTypeV: settings.cacheTypeV,
    threads: settings.threads,
  };
}

/** The model's local path; one that cannot be fetched stops serve saying how to name another. */
async function modelPathOf(spec: string, cacheDir: string | undefined): Promise<string> {
  try {
    return await resolveModelSource(spec, { cacheDir });
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    throw new EngineError(
      error.code,
      `${error.message} Or choose another model: --model PATH.gguf or --model hf:USER/REPO:QUANT.`,
    );
  }
}
