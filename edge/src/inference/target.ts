// What an inference request names: its `model` (one of the caller's ready steerable models, or a
// base model the GPU nodes serve), and the vectors its steering names, each a trait of that model
// or, as "<model id>/<trait>", of any ready model of the caller's on the same base model, with
// the conditions its terms read and its route's calibrated conditions. Another account's model is
// as unknown as a made-up one: 404.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodeConditionalTerm } from "../../../shared/node-api/generation.ts";
import { type ConditionalSteering, ROUTE_KEY, type SteeringRequest } from "../api/steering.ts";
import type { TraitCondition } from "../db/schema.ts";
import type { Db } from "../lib/db.ts";
import { IsolateCache } from "../lib/isolate-cache.ts";
import { findServedModel } from "../nodes/base-models.ts";
import type { NodePool } from "../nodes/pool.ts";
import { findModel } from "../training/models.ts";
import { type ResolvedSteering, type SteeringTerm, steeringOf } from "./resolved-steering.ts";

export interface Target {
  /** What the request named (a steerable model's id or a base model's): usage is metered so, and
   * answers echo it. */
  model: string;
  baseModel: string;
  /** The named model's traits: trait name -> its vector's hash; none for a base model. */
  traits: ReadonlyMap<string, string>;
  /** Its calibrated traits' conditions, by trait name. */
  conditions: ReadonlyMap<string, TraitCondition>;
}

/** A ready steerable model of an account, as inference needs it. */
interface ReadyModel {
  baseModel: string;
  traits: ReadonlyMap<string, string>;
  conditions: ReadonlyMap<string, TraitCondition>;
}

/**
 * Ready models, by account and id, for a minute: a ready model's vectors never change, so only
 * its deletion or a trait's calibration can make this stale (forgetSteerableModel: at once here,
 * within the minute in other isolates).
 */
const readyModels = new IsolateCache<ReadyModel>(60_000);

export function forgetSteerableModel(accountId: string, id: string): void {
  readyModels.delete(`${accountId}/${id}`);
}

/** The caller's steerable model `id` if it is ready; null when the account has no such model. */
async function findReadyModel(
  db: Db,
  accountId: string,
  id: string,
  param: string,
): Promise<ReadyModel | null> {
  const key = `${accountId}/${id}`;
  const cached = readyModels.get(key);
  if (cached) return cached;
  const model = await findModel(db, accountId, id);
  if (!model) return null;
  if (model.status !== "ready") throw notReady(id, model.status, model.failureReason, param);
  const traits = new Map<string, string>();
  const conditions = new Map<string, TraitCondition>();
  for (const { name, vectorHash, condition } of model.traits) {
    if (vectorHash) traits.set(name, vectorHash);
    if (vectorHash && condition) conditions.set(name, condition);
  }
  const ready = { baseModel: model.baseModel, traits, conditions };
  readyModels.set(key, ready);
  return ready;
}

/** The model a request names: a base model a node serves, or a ready steerable model of the
 * caller's on one; anything else is a 404. */
export async function resolveTarget(
  db: Db,
  pool: NodePool,
  accountId: string,
  model: string,
): Promise<Target> {
  // Base models first: their names are known without asking D1 (steerable ids never look like one).
  if (await findServedModel(pool, model)) {
    return { model, baseModel: model, traits: new Map(), conditions: new Map() };
  }
  const steerable = await findReadyModel(db, accountId, model, "model");
  if (!steerable) throw unknownModel(model, "model");
  if (!(await findServedModel(pool, steerable.baseModel))) {
    throw new ApiError(
      503,
      `the steerable model ${model} was made for ${steerable.baseModel}, which no GPU node serves now`,
      "base_model_unavailable",
      "model",
    );
  }
  return { model, ...steerable };
}

/**
 * The node's `steering` (vector hash -> multiplier, or a conditional term) for the request's, which
 * arrived as `param` (steering, control_settings); undefined when it asks for none. Plain terms on
 * one vector add up; a conditional one shares its vector with no other term.
 */
export async function resolveSteering(
  db: Db,
  accountId: string,
  target: Target,
  request: SteeringRequest | null | undefined,
  param: string,
): Promise<ResolvedSteering | undefined> {
  const entries = Object.entries(request ?? {});
  if (entries.length === 0) return undefined;
  const terms: SteeringTerm[] = [];
  for (const [key, value] of entries) {
    const field = `${param}.${key}`;
    if (Array.isArray(value) && key === ROUTE_KEY) {
      for (const [i, name] of value.entries()) {
        terms.push(await routed(db, accountId, target, name, `${field}[${i}]`));
      }
    } else if (typeof value === "number") {
      const { hash } = await traitOf(db, accountId, target, key, field);
      terms.push({ name: key, param: field, hash, term: value });
    } else if (!Array.isArray(value)) {
      terms.push(await conditional(db, accountId, target, key, value, field));
    }
  }
  return steeringOf(terms);
}

/** A term whose multiplier applies when its condition, read from `when.trait`, fires. */
async function conditional(
  db: Db,
  accountId: string,
  target: Target,
  key: string,
  { multiplier, when }: ConditionalSteering,
  param: string,
): Promise<SteeringTerm> {
  const { hash } = await traitOf(db, accountId, target, key, param);
  const { trait, ...fields } = when;
  const read = await traitOf(db, accountId, target, trait, `${param}.when.trait`);
  let nodeWhen: NodeConditionalTerm["when"];
  if (read.condition) {
    // The calibrated condition's own one-layer vector: it reads no other layer.
    const { vectorHash, layer, comparator, threshold } = read.condition;
    if (fields.layer !== undefined && fields.layer !== layer) {
      throw new ApiError(
        400,
        `${param}.when.layer: ${trait}'s calibrated condition reads layer ${layer} only; leave layer out`,
        "invalid_request",
        `${param}.when.layer`,
      );
    }
    const calibrated =
      fields.above === undefined && fields.below === undefined
        ? thresholdOf(comparator, threshold)
        : {};
    nodeWhen = { vector: vectorHash, ...fields, ...calibrated, layer };
  } else {
    if (fields.above === undefined && fields.below === undefined) {
      throw new ApiError(
        400,
        `${param}.when: ${trait} has no calibrated condition, so give its threshold, above or ` +
          `below (or calibrate it first with POST /v1/steerable-models/${read.model}/traits/` +
          `${read.trait}/condition)`,
        "invalid_request",
        `${param}.when`,
      );
    }
    nodeWhen = { vector: read.hash, ...fields };
  }
  return { name: key, param, hash, term: { multiplier, when: nodeWhen }, reads: trait };
}

/** A route's entry: the trait, with its calibrated multiplier, when its own condition fires. */
async function routed(
  db: Db,
  accountId: string,
  target: Target,
  name: string,
  param: string,
): Promise<SteeringTerm> {
  const { hash, condition, model, trait } = await traitOf(db, accountId, target, name, param);
  if (!condition) {
    throw new ApiError(
      400,
      `${param}: ${name} has no calibrated condition to route by; calibrate it first with POST ` +
        `/v1/steerable-models/${model}/traits/${trait}/condition`,
      "trait_not_calibrated",
      param,
    );
  }
  const when = {
    vector: condition.vectorHash,
    layer: condition.layer,
    ...thresholdOf(condition.comparator, condition.threshold),
  };
  return { name, param, hash, term: { multiplier: condition.multiplier, when }, reads: name };
}

function thresholdOf(
  comparator: TraitCondition["comparator"],
  threshold: number,
): { above: number } | { below: number } {
  return comparator === "above" ? { above: threshold } : { below: threshold };
}

/** What a steering key names: a trait of the target ("<trait>"), or of "<model id>/<trait>". */
async function traitOf(
  db: Db,
  accountId: string,
  target: Target,
  key: string,
  param: string,
): Promise<{ model: string; trait: string; hash: string; condition: TraitCondition | undefined }> {
  const slash = key.indexOf("/");
  if (slash < 0) {
    const hash = traitVector(target.model, target.traits, key, param);
    return { model: target.model, trait: key, hash, condition: target.conditions.get(key) };
  }
  const id = key.slice(0, slash);
  const trait = key.slice(slash + 1);
  const owner = await findReadyModel(db, accountId, id, param);
  if (!owner) throw unknownModel(id, param);
  if (owner.baseModel !== target.baseModel) {
    throw new ApiError(
      400,
      `${param}: ${id} steers ${owner.baseModel}, but this request runs on ${target.baseModel}`,
      "base_model_mismatch",
      param,
    );
  }
  const hash = traitVector(id, owner.traits, trait, param);
  return { model: id, trait, hash, condition: owner.conditions.get(trait) };
}

export function traitVector(
  model: string,
  traits: ReadonlyMap<string, string>,
  trait: string,
  param: string,
): string {
  const hash = traits.get(trait);
  if (hash) return hash;
  const message =
    traits.size === 0
      ? `${param}: ${model} is a base model, with no traits of its own; name a trait of one of your steerable models as "<model id>/<trait>"`
      : `${param}: ${model} has no trait ${trait} (its traits: ${[...traits.keys()].join(", ")})`;
  throw new ApiError(400, message, "unknown_trait", param);
}

function unknownModel(model: string, param: string): ApiError {
  return new ApiError(
    404,
    `${param}: the model ${model} does not exist: name one of your steerable models or a base model`,
    "model_not_found",
    param,
  );
}

export function notReady(
  id: string,
  status: string,
  reason: string | null,
  param: string,
): ApiError {
  const message =
    status === "failed"
      ? `${param}: the steerable model ${id} failed to train${reason ? `: ${reason}` : ""}`
      : `${param}: the steerable model ${id} is ${status}; it can be used once its status is ready`;
  return new ApiError(409, message, "model_not_ready", param);
}
