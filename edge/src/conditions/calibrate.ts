// Calibrating a trait's condition: its model must be ready (its traits' vectors are what a
// condition steers); a GPU node reads the examples and finds the layer and threshold that sort
// them best, the direction goes into R2, and the trait keeps the result. The model's cached ready
// record is forgotten, so that routing reads the new condition at once in this isolate.
import { type CalibrateCondition, DEFAULT_ROUTE_MULTIPLIER } from "../api/conditions.ts";
import type { TraitCondition } from "../db/schema.ts";
import { forgetSteerableModel, notReady } from "../inference/target.ts";
import type { Backend } from "../lib/backend.ts";
import { calibrateOnNode } from "../nodes/conditions.ts";
import type { ModelRecord } from "../training/models.ts";
import { requireTrait, setCondition } from "./records.ts";

export interface Calibrated {
  condition: TraitCondition;
  /** The examples' tokens the node read, to meter. */
  promptTokens: number;
}

export async function calibrateTraitCondition(
  backend: Backend,
  model: ModelRecord,
  traitName: string,
  request: CalibrateCondition,
): Promise<Calibrated> {
  if (model.status !== "ready") throw notReady(model.id, model.status, model.failureReason, "id");
  const trait = requireTrait(model, traitName);
  const { multiplier, ...examples } = request;
  // The node's fields are the request's own: should_fire[i], should_not_fire[i], layers.
  const calibration = await calibrateOnNode(
    backend.pool,
    backend.bucket,
    examples,
    model.baseModel,
  );
  const condition: TraitCondition = {
    vectorHash: calibration.vector,
    layer: calibration.layer,
    comparator: calibration.comparator,
    threshold: calibration.threshold,
    multiplier: multiplier ?? DEFAULT_ROUTE_MULTIPLIER,
    f1: calibration.f1,
    precision: calibration.precision,
    recall: calibration.recall,
    examples: {
      shouldFire: request.should_fire.length,
      shouldNotFire: request.should_not_fire.length,
    },
    layers: calibration.layers,
    calibratedAt: Date.now(),
  };
  await setCondition(backend.db, trait, condition);
  forgetSteerableModel(model.accountId, model.id);
  return { condition, promptTokens: calibration.usage.prompt_tokens };
}
