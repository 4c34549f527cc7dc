// The GPU node's HTTP app, built from an engine and a vector store: every route is one that
// shared/node-api declares (createRoute), registered with app.openapi, so a request is checked by
// the contract's own schemas (a 400 naming the field, unknown fields included) before its handler
// runs, and GET /openapi.json serves the contract as the node implements it. Tests can call
// app.request() on it; serve.ts puts it behind a Node HTTP server.
import { createHash, timingSafeEqual } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { except } from "hono/combine";
import { ApiError, rejectInvalid } from "../../shared/http/api-error.ts";
import { bearerToken } from "../../shared/http/bearer.ts";
import { limitBody } from "../../shared/http/body-limit.ts";
import { MAX_JSON_BODY_BYTES, MAX_VECTOR_BYTES } from "../../shared/limits.ts";
import { calibrateConditionRoute } from "../../shared/node-api/conditions.ts";
import { submitDatasetRoute } from "../../shared/node-api/datasets.ts";
import { submitEvaluationRoute } from "../../shared/node-api/evaluations.ts";
import {
  submitExtractionRoute,
  validateExtractionRoute,
} from "../../shared/node-api/extractions.ts";
import { chatRoute, completionRoute } from "../../shared/node-api/generation.ts";
import { healthRoute, readyRoute } from "../../shared/node-api/models.ts";
import { BaseModelGenerator } from "../datasets/base-model-generator.ts";
import type { PairGenerator } from "../datasets/generator.ts";
import type { Engine } from "../engine/engine.ts";
import { BaseModelJudge } from "../evaluation/base-model-judge.ts";
import type { Judge } from "../evaluation/judge.ts";
import { DatasetJobs } from "./dataset-jobs.ts";
import { errorResponse } from "./errors.ts";
import { EvaluationJobs } from "./evaluation-jobs.ts";
import { ExtractionJobs } from "./extraction-jobs.ts";
import { CancellableGenerations, generationRoutes } from "./generations.ts";
import { InFlight } from "./in-flight.ts";
import { reportLoad } from "./load.ts";
import { Metrics, metricsRoutes } from "./metrics.ts";
import { type LogSink, requestLog, stdoutLog } from "./request-log.ts";
import { chatRoutes } from "./routes/chat.ts";
import { completionRoutes } from "./routes/completions.ts";
import { conditionRoutes } from "./routes/conditions.ts";
import { datasetRoutes } from "./routes/datasets.ts";
import { evaluationRoutes } from "./routes/evaluations.ts";
import { extractionRoutes } from "./routes/extractions.ts";
import { healthRoutes } from "./routes/health.ts";
import { vectorRoutes } from "./routes/vectors.ts";
import type { VectorStore } from "./vector-store.ts";

/** Completions that may wait for a slot when the options do not say. */
export const DEFAULT_MAX_QUEUE_DEPTH = 64;

export interface AppOptions {
  engine: Engine;
  store: VectorStore;
  /** The id /v1/models and responses give the model. */
  modelId: string;
  /** When set, every request but health checks must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest JSON body and vector upload (default MAX_JSON_BODY_BYTES, MAX_VECTOR_BYTES). */
  maxJsonBytes?: number;
  maxVectorBytes?: number;
  /** True once the server is shutting down: readyz, and new generations and extractions, get 503. */
  isClosing?: () => boolean;
  /** Completions waiting for a slot beyond which new ones get 503 + Retry-After. */
  maxQueueDepth?: number;
  /** The settings the node serves with, by steer serve's flag: GET /v1/models shows them. */
  serving?: Record<string, string | number | null>;
  /** The extraction job queue (default: a new one); serve.ts may keep it to close on shutdown. */
  extractions?: ExtractionJobs;
  /** The evaluation job queue (default: a new one), kept by serve.ts as the extractions are. */
  evaluations?: EvaluationJobs;
  /** What scores evaluations' answers (default: the node's own model, unsteered). */
  judge?: Judge;
  /** The dataset job queue (default: a new one), kept by serve.ts as the extractions are. */
  datasets?: DatasetJobs;
  /** What writes described traits' persona pairs (default: the node's own model, unsteered). */
  generator?: PairGenerator;
  /** Where each request's log line goes (default: a JSON line on stdout). */
  log?: LogSink;
  /** Counts open requests (default: a new one); serve.ts keeps it to drain them on shutdown. */
  inFlight?: InFlight;
}

export interface AppContext {
  engine: Engine;
  store: VectorStore;
  modelId: string;
  created: number;
  isClosing: () => boolean;
  metrics: Metrics;
  extractions: ExtractionJobs;
  evaluations: EvaluationJobs;
  /** The judge; made on first use, as the default one refuses a model it cannot read scores from. */
  judge: () => Judge;
  datasets: DatasetJobs;
  /** The generator, made on first use as the judge is. */
  generator: () => PairGenerator;
  generations: CancellableGenerations;
  serving?: Record<string, string | number | null>;
}

/** What GET /openapi.json says of the document itself. */
const DOCUMENT_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Steer GPU node",
    version: "1",
    description: "A GPU node's HTTP contract (shared/node-api), as this node serves it",
  },
};

export function createApp(options: AppOptions): OpenAPIHono {
  const context: AppContext = {
    engine: options.engine,
    store: options.store,
    modelId: options.modelId,
    created: Math.floor(Date.now() / 1000),
    isClosing: options.isClosing ?? (() => false),
    metrics: new Metrics(),
    extractions: options.extractions ?? new ExtractionJobs(options.engine, options.store),
    evaluations: options.evaluations ?? new EvaluationJobs(options.engine),
    judge: lazily(() => options.judge ?? new BaseModelJudge(options.engine)),
    datasets: options.datasets ?? new DatasetJobs(),
    generator: lazily(() => options.generator ?? new BaseModelGenerator(options.engine)),
    generations: new CancellableGenerations(),
    serving: options.serving,
  };
  const app = new OpenAPIHono({ defaultHook: rejectInvalid });
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) =>
    errorResponse(c, new ApiError(404, `no route ${c.req.method} ${c.req.path}`, "not_found")),
  );
  app.use(requestLog(options.log ?? stdoutLog, options.inFlight ?? new InFlight()));
  app.use(reportLoad(options.engine, options.store));
  // Health checks come from load balancers, which hold no token; they say nothing but ok or not.
  if (options.token) app.use(except([healthRoute.path, readyRoute.path], bearer(options.token)));
  app.use("/v1/vectors", limitBody(options.maxVectorBytes ?? MAX_VECTOR_BYTES));
  const jsonLimit = limitBody(options.maxJsonBytes ?? MAX_JSON_BODY_BYTES);
  const jsonRoutes = [
    chatRoute,
    completionRoute,
    submitExtractionRoute,
    validateExtractionRoute,
    submitEvaluationRoute,
    submitDatasetRoute,
    calibrateConditionRoute,
  ];
  for (const { path } of jsonRoutes) {
    app.post(path, jsonLimit, refuseWhileClosing(context.isClosing));
  }
  const busy = queueBound(options.engine, options.maxQueueDepth ?? DEFAULT_MAX_QUEUE_DEPTH);
  app.post("/v1/chat/completions", busy);
  app.post("/v1/completions", busy);
  app.route("/", healthRoutes(context));
  app.route("/", chatRoutes(context));
  app.route("/", completionRoutes(context));
  app.route("/", vectorRoutes(context));
  app.route("/", extractionRoutes(context));
  app.route("/", evaluationRoutes(context));
  app.route("/", datasetRoutes(context));
  app.route("/", conditionRoutes(context));
  app.route("/", generationRoutes(context));
  app.route("/", metricsRoutes(context));
  app.get("/openapi.json", (c) => c.json(app.getOpenAPI31Document(DOCUMENT_INFO)));
  return app;
}

/** `make`'s value, made on the first call and kept; a call that throws makes nothing. */
function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** 503 for new work once the node is stopping; what runs already may finish. */
function refuseWhileClosing(isClosing: () => boolean): MiddlewareHandler {
  return async (c, next) => {
    if (isClosing()) {
      // The client should take its next request elsewhere, not down this connection.
      c.header("connection", "close");
      return errorResponse(c, new ApiError(503, "the node is shutting down", "shutting_down"));
    }
    await next();
  };
}

/** 503 with Retry-After once `max` completions already wait for a slot. */
function queueBound(engine: Engine, max: number): MiddlewareHandler {
  return async (c, next) => {
    if (engine.stats.queueDepth >= max) {
      c.header("retry-after", "1");
      return errorResponse(
        c,
        new ApiError(503, `the queue is full (${max} waiting); retry shortly`, "queue_full"),
      );
    }
    await next();
  };
}

function bearer(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const given = bearerToken(c.req.header("authorization"));
    if (!given || !timingSafeEqual(digest(given), expected)) {
      return errorResponse(
        c,
        new ApiError(401, "a valid bearer token is required", "invalid_api_key"),
      );
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
