// What an inference request names: its `model` (one of the caller's ready steerable models, or a
// base model the GPU nodes serve), and the vectors its steering names, each a trait of that model
// or, as "<model id>/<trait>", of any ready model of the caller's on the same base model. Another
// account's model is as unknown as a made-up one: 404.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Db } from "../lib/db.ts";
import { IsolateCache } from "../lib/isolate-cache.ts";
import { findServedModel } from "../nodes/base-models.ts";
import type { NodePool } from "../nodes/pool.ts";
import { findModel } from "../training/models.ts";

export interface Target {
  /** What the request named (a steerable model's id or a base model's): usage is metered so, and
   * answers echo it. */
  model: string;
  baseModel: string;
  /** The named model's traits: trait name -> its vector's hash; none for a base model. */
  traits: ReadonlyMap<string, string>;
}

/** A ready steerable model of an account, as inference needs it. */
interface ReadyModel {
  baseModel: string;
  traits: ReadonlyMap<string, string>;
}

/**
 * Ready models, by account and id, for a minute: a ready model's vectors never change, so only
 * its deletion can make this stale (forgetSteerableModel: at once here, within the minute in
 * other isolates).
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
  for (const { name, vectorHash } of model.traits) if (vectorHash) traits.set(name, vectorHash);
  const ready = { baseModel: model.baseModel, traits };
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
  if (await findServedModel(pool, model)) return { model, baseModel: model, traits: new Map() };
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
  return { model, baseModel: steerable.baseModel, traits: steerable.traits };
}

/**
 * The node's `steering` ({vector hash: multiplier}) for the request's trait -> multiplier map,
 * which arrived as `param` (steering, control_settings). Traits sharing a vector add up.
 */
export async function resolveSteering(
  db: Db,
  accountId: string,
  target: Target,
  multipliers: Record<string, number> | null | undefined,
  param: string,
): Promise<Record<string, number> | undefined> {
  const entries = Object.entries(multipliers ?? {});
  if (entries.length === 0) return undefined;
  const steering: Record<string, number> = {};
  for (const [key, multiplier] of entries) {
    const hash = await vectorOf(db, accountId, target, key, `${param}.${key}`);
    steering[hash] = (steering[hash] ?? 0) + multiplier;
  }
  return steering;
}

/** The vector a steering key names: "<trait>" of the target, or "<model id>/<trait>". */
async function vectorOf(
  db: Db,
  accountId: string,
  target: Target,
  key: string,
  param: string,
): Promise<string> {
  const slash = key.indexOf("/");
  if (slash < 0) return traitVector(target.model, target.traits, key, param);
  const id = key.slice(0, slash);
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
  return traitVector(id, owner.traits, key.slice(slash + 1), param);
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
