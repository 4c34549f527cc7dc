// The edge's data model in D1. Accounts own API keys, steerable models and evaluations; a steerable
// model has one trait per control dimension, whose vector lives in R2 under its content hash, and
// an evaluation measures one trait (its measurements and ratings live in R2: evaluations/<id>.json);
// usage has a row per request (or evaluation, generation, calibration) that produced tokens, keyed
// by its request id. Rate limits live in a Durable Object per account, not here. Times are Unix
// milliseconds. `drizzle-kit generate` turns
// changes here into the SQL files in migrations/.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { QualityCard } from "../../../shared/evaluation/result.ts";
import type { LayerCalibration } from "../../../shared/node-api/conditions.ts";
import type { NodeEvaluationJob } from "../../../shared/node-api/evaluations.ts";
import type { LayerChoice, LayerSelection } from "../../../shared/node-api/layers.ts";
import type { NodeLoad } from "../../../shared/node-api/load.ts";
import type { SteeringReport } from "../../../shared/steering/conditions.ts";

const createdAt = () => integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

/** A key is shown once; only its SHA-256 is kept. `prefix` lets a user tell keys apart. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    hash: text("hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    /** admin keys may also manage the account's keys. */
    scope: text("scope", { enum: ["admin", "user"] }).notNull(),
    createdAt: createdAt(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_account").on(t.accountId)],
);

export const MODEL_STATUSES = ["pending", "generating", "training", "ready", "failed"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const steerableModels = sqliteTable(
  "steerable_models",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    label: text("label").notNull(),
    /**
     * The API key that made it: what its making spends (a described trait's generation) is metered
     * to it. Empty for models made before it was kept, none of which had anything to meter.
     */
    keyId: text("key_id").notNull().default(""),
    /** The base model the vectors were extracted on (a GPU node's model id). */
    baseModel: text("base_model").notNull(),
    status: text("status", { enum: MODEL_STATUSES }).notNull(),
    failureReason: text("failure_reason"),
    /** The openers extraction starts the assistant's reply with (null: the node's built-in ones). */
    promptList: text("prompt_list", { mode: "json" }).$type<string[]>(),
    /** The user instruction each persona goes into (null: the node's default template). */
    template: text("template"),
    /** The layers its traits steer, as created (null: each trait's chosen by measurement). */
    layers: text("layers", { mode: "json" }).$type<LayerSelection>(),
    /** The preset it was installed from, if any. */
    preset: text("preset"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("steerable_models_account").on(t.accountId, t.createdAt)],
);

/**
 * What a row run as a job on a GPU node keeps of it (jobs/lifecycle.ts): where the job runs (the
 * node's URL and the job's id there), the jobs it has had, the last error, and while no node can
 * take it, since when and when it is tried next (jobs/retry.ts).
 */
function nodeJobColumns() {
  return {
    jobNode: text("job_node"),
    jobId: text("job_id"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    unavailableSince: integer("unavailable_since"),
    retryAt: integer("retry_at"),
  };
}

export const TRAIT_STATUSES = ["pending", "generating", "training", "ready", "failed"] as const;
export type TraitStatus = (typeof TRAIT_STATUSES)[number];

/**
 * A control dimension: its examples, its extraction job while it trains, then its vector. A
 * described trait's examples are written first, by a dataset job on a GPU node (generating): until
 * then they are empty, and its job columns are that job's.
 */
export const traits = sqliteTable(
  "traits",
  {
    modelId: text("model_id")
      .notNull()
      .references(() => steerableModels.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    positiveExamples: text("positive_examples", { mode: "json" }).notNull().$type<string[]>(),
    negativeExamples: text("negative_examples", { mode: "json" }).notNull().$type<string[]>(),
    /** The trait in its creator's words, when they gave them. */
    description: text("description"),
    /** The persona pairs asked of a generator for it: null when its examples were given. */
    generatedPairs: integer("generated_pairs"),
    status: text("status", { enum: TRAIT_STATUSES }).notNull(),
    /** SHA-256 of the control-vector GGUF, its key in R2 (vectors/<hash>.gguf). */
    vectorHash: text("vector_hash"),
    /** Its dataset's job, then its extraction's. */
    ...nodeJobColumns(),
    /** The quality card of its latest succeeded evaluation, if any. */
    quality: text("quality", { mode: "json" }).$type<QualityCard>(),
    /** Which layers its extraction chose, and why (null until trained, or not extracted here). */
    layerChoice: text("layer_choice", { mode: "json" }).$type<LayerChoice>(),
    /** When routing turns it on, and what a condition naming it reads: its calibration's result
     * (null until calibrated). */
    condition: text("condition", { mode: "json" }).$type<TraitCondition>(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.name] })],
);

/**
 * A trait's calibrated condition (POST /v1/steerable-models/{id}/traits/{trait}/condition): the
 * direction its examples separate, the layer and threshold that separate them best, and how well.
 */
export interface TraitCondition {
  /** The direction read: a one-layer control vector, in R2 and on nodes like any other. */
  vectorHash: string;
  layer: number;
  comparator: "above" | "below";
  /** A cosine, -1 to 1 (shared/steering/conditions.ts). */
  threshold: number;
  /** What routing applies to the trait when the condition fires. */
  multiplier: number;
  f1: number;
  precision: number;
  recall: number;
  /** How many examples it was calibrated on, on each side. */
  examples: { shouldFire: number; shouldNotFire: number };
  /** Each candidate layer's best threshold, as the node reported it (absent from conditions
   * stored without it). */
  layers?: LayerCalibration[];
  /** Unix milliseconds. */
  calibratedAt: number;
}

/**
 * What used the tokens: a request to a model, an evaluation's job, the generation of a described
 * trait's examples, or the calibration of a trait's condition.
 */
export const USAGE_KINDS = ["inference", "evaluation", "generation", "calibration"] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/**
 * One row per request that produced tokens, streamed or not, finished or cancelled, one per
 * evaluation that succeeded, one per described trait whose examples were generated, and one per
 * condition calibrated.
 */
export const usage = sqliteTable(
  "usage",
  {
    /**
     * What was metered: the request's id (its answer's x-request-id), an evaluation's id, or a
     * described trait's model and trait. The key makes a redelivered usage message a no-op.
     */
    requestId: text("request_id").primaryKey(),
    accountId: text("account_id").notNull(),
    keyId: text("key_id").notNull(),
    /** A steerable model's id, or the base model's. */
    model: text("model").notNull(),
    /** UTC day, YYYY-MM-DD: what /v1/usage groups by. */
    day: text("day").notNull(),
    endpoint: text("endpoint").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    outcome: text("outcome", { enum: ["completed", "cancelled", "failed"] }).notNull(),
    /** How an answer ended (OpenAI's finish_reason); null for one cut short, or not an answer. */
    finishReason: text("finish_reason", { enum: ["stop", "length"] }),
    kind: text("kind", { enum: USAGE_KINDS }).notNull().default("inference"),
    /** What a steered request's steering applied (its answer's steering_report), else null. */
    steeringReport: text("steering_report", { mode: "json" }).$type<SteeringReport>(),
    /** When the request ended (not when its row was written, which the queue may delay). */
    createdAt: createdAt(),
  },
  (t) => [
    index("usage_account_day").on(t.accountId, t.day),
    // GET /v1/usage/requests pages through an account's rows newest first.
    index("usage_account_created").on(t.accountId, t.createdAt, t.requestId),
  ],
);

export const EVALUATION_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

/**
 * An evaluation of a trait's vector: its job on a GPU node while it runs (queued: waiting for a
 * node, or in its node's queue), then its outcome. What it asked the node, what the node measured
 * and the ratings people gave are in R2 (evaluations/<id>.json).
 */
export const evaluations = sqliteTable(
  "evaluations",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** The key that asked for it: its tokens are metered to it. */
    keyId: text("key_id").notNull(),
    /** The steerable model and the trait evaluated (the model may be deleted since). */
    modelId: text("model_id").notNull(),
    trait: text("trait").notNull(),
    status: text("status", { enum: EVALUATION_STATUSES }).notNull(),
    /** As its node last reported it. */
    progress: text("progress", { mode: "json" }).notNull().$type<EvaluationProgress>(),
    ...nodeJobColumns(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("evaluations_account").on(t.accountId, t.createdAt),
    index("evaluations_status").on(t.status, t.updatedAt),
  ],
);

export type EvaluationProgress = NodeEvaluationJob["progress"];

/** The first answer to a create request carrying an Idempotency-Key, replayed for 24 h. */
export const idempotency = sqliteTable(
  "idempotency",
  {
    accountId: text("account_id").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of method, path and body: a retry with other parameters is refused. */
    fingerprint: text("fingerprint").notNull(),
    status: integer("status").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] })],
);

/** Presets users published; the built-in ones live in code (edge/src/presets/). */
export const publishedPresets = sqliteTable("published_presets", {
  name: text("name").primaryKey(),
  description: text("description").notNull(),
  author: text("author").notNull(),
  accountId: text("account_id")
    .notNull()
    .references(() => accounts.id),
  baseModel: text("base_model").notNull(),
  /** A copy of the model's traits at publishing: its author may change or delete the model. */
  traits: text("traits", { mode: "json" }).notNull().$type<PublishedTrait[]>(),
  createdAt: createdAt(),
});

export interface PublishedTrait {
  name: string;
  positiveExamples: string[];
  negativeExamples: string[];
  vectorHash: string;
  /** Its quality card at publishing (presets published before evaluations existed have none). */
  quality?: QualityCard | null;
}

/** A node takes new work while active; draining, it finishes what it runs and gets nothing new. */
export const NODE_STATES = ["active", "draining"] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** What a node's last health check found: its /readyz ready, stopping (503), or no answer. */
export const NODE_HEALTH = ["unknown", "ready", "stopping", "unreachable"] as const;
export type NodeHealth = (typeof NODE_HEALTH)[number];

/**
 * The GPU nodes (edge/src/nodes/registry.ts): seeded from GPU_NODES, added and drained through the
 * operator API, checked by the cron. A removed node keeps its row (removed_at), so that GPU_NODES
 * does not bring it back.
 */
export const nodes = sqliteTable("nodes", {
  id: text("id").primaryKey(),
  /** Its base URL, without a trailing slash. */
  url: text("url").notNull().unique(),
  state: text("state", { enum: NODE_STATES }).notNull().default("active"),
  /** The base model it serves (its /v1/models id); null until it has answered once. */
  baseModel: text("base_model"),
  health: text("health", { enum: NODE_HEALTH }).notNull().default("unknown"),
  /** Why its last check failed. */
  healthError: text("health_error"),
  /** Unix milliseconds of its last check. */
  checkedAt: integer("checked_at"),
  /** Its load at its last check. */
  load: text("load", { mode: "json" }).$type<NodeLoad>(),
  /**
   * `config`: seeded from GPU_NODES, and routed to while GPU_NODES lists it; `operator`: added
   * through the operator API, routed to until removed.
   */
  source: text("source", { enum: ["config", "operator"] }).notNull(),
  /** Generations it served: each chat or text completion that made tokens there. */
  completionsServed: integer("completions_served").notNull().default(0),
  removedAt: integer("removed_at"),
  addedAt: integer("added_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
});
