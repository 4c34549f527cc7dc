// What an inference request's `model` names: one of the caller's steerable models (ready, with a
// vector per trait) or the base model the GPU nodes serve, unsteered. Another account's model is
// as unknown as a made-up one: 404.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Db } from "../lib/db.ts";
import { IsolateCache } from "../lib/isolate-cache.ts";
import { servedModels } from "../nodes/base-models.ts";
import type { NodePool } from "../nodes/pool.ts";
import { findModel } from "../training/models.ts";

export interface Target {
  /** What the request named (a steerable model's id or the base model's): usage is metered so. */
  model: string;
  baseModel: string;
  /** Trait name -> its vector's hash; null for the base model, which takes no steering. */
  vectors: Map<string, string> | null;
}

/**
 * Ready models, by account and id, for a minute: a ready model's vectors never change, so only
 * its deletion can make this stale (forgetSteerableModel: at once here, within the minute in
 * other isolates).
 */
const readyModels = new IsolateCache<Target>(60_000);

export function forgetSteerableModel(accountId: string, id: string): void {
  readyModels.delete(`${accountId}/${id}`);
}

/** The caller's ready steerable model `id`, or null when the account has no such model. */
async function findSteerableModel(db: Db, accountId: string, id: string): Promise<Target | null> {
  const cached = readyModels.get(`${accountId}/${id}`);
  if (cached) return cached;
  const target = await readSteerableModel(db, accountId, id);
  if (target) readyModels.set(`${accountId}/${id}`, target);
  return target;
}

async function readSteerableModel(db: Db, accountId: string, id: string): Promise<Target | null> {
  const model = await findModel(db, accountId, id);
  if (!model) return null;
  if (model.status !== "ready") throw notReady(id, model.status, model.failureReason);
  const vectors = new Map<string, string>();
  for (const { name, vectorHash } of model.traits) if (vectorHash) vectors.set(name, vectorHash);
  return { model: id, baseModel: model.baseModel, vectors };
}

/** A steerable model of the caller's, or else the base model; anything else is a 404. */
export async function resolveTarget(
  db: Db,
  pool: NodePool,
  accountId: string,
  model: string,
): Promise<Target> {
  // The base model first: its name is known without asking D1 (steerable ids never look like it).
  if ((await servedModels(pool)).includes(model)) return { model, baseModel: model, vectors: null };
  const steerable = await steerableTarget(db, pool, accountId, model);
  if (steerable) return steerable;
  throw unknownModel(model);
}

/** The caller's ready steerable model `id` (null: no such model), on a base model a node serves. */
export async function steerableTarget(
  db: Db,
  pool: NodePool,
  accountId: string,
  id: string,
): Promise<Target | null> {
  const target = await findSteerableModel(db, accountId, id);
  if (target && !(await servedModels(pool)).includes(target.baseModel)) {
    throw new ApiError(
      503,
      `the steerable model ${id} was made for ${target.baseModel}, which no GPU node serves now`,
      "base_model_unavailable",
      "model",
    );
  }
  return target;
}

export function unknownModel(model: string): ApiError {
  return new ApiError(
    404,
    `the model ${model} does not exist: name one of your steerable models or the base model`,
    "model_not_found",
    "model",
  );
}

/**
 * The node's `steering` ({vector hash: multiplier}) for the request's trait -> multiplier map,
 * which arrived as `param` (steering, control_settings). Traits sharing a vector add up.
 */
export function nodeSteering(
  target: Target,
  multipliers: Record<string, number> | null | undefined,
  param: string,
): Record<string, number> | undefined {
  const entries = Object.entries(multipliers ?? {});
  if (entries.length === 0) return undefined;
  const { vectors } = target;
  if (!vectors) {
    throw new ApiError(
      400,
      `${param}: the base model ${target.model} takes no steering; name a steerable model`,
      "invalid_request",
      param,
    );
  }
  const steering: Record<string, number> = {};
  for (const [trait, multiplier] of entries) {
    const hash = vectors.get(trait);
    if (!hash) throw unknownTrait(target.model, vectors, `${param}.${trait}`, trait);
    steering[hash] = (steering[hash] ?? 0) + multiplier;
  }
  return steering;
}

function unknownTrait(
  model: string,
  vectors: Map<string, string>,
  param: string,
  trait: string,
): ApiError {
  const known = [...vectors.keys()].join(", ") || "none";
  const message = `${param}: ${model} has no trait ${trait} (its traits: ${known})`;
  return new ApiError(400, message, "unknown_trait", param);
}

function notReady(id: string, status: string, reason: string | null): ApiError {
  const message =
    status === "failed"
      ? `the steerable model ${id} failed to train${reason ? `: ${reason}` : ""}`
      : `the steerable model ${id} is ${status}; it can be used once its status is ready`;
  return new ApiError(409, message, "model_not_ready", "model");
}
