// A trait's calibrated condition as D1 keeps it (traits.condition, a TraitCondition) and as the API
// shows it: on its own (GET .../traits/{trait}/condition) and in its model's record, per trait.
import { and, eq } from "drizzle-orm";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { ApiTraitCondition } from "../api/conditions.ts";
import { type TraitCondition, traits } from "../db/schema.ts";
import type { Db } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import type { ModelRecord, TraitRow } from "../training/models.ts";

/** The model's trait `name`, or a 404 naming the path's trait. */
export function requireTrait(model: ModelRecord, name: string): TraitRow {
  const trait = model.traits.find((t) => t.name === name);
  if (trait) return trait;
  const names = model.traits.map((t) => t.name).join(", ");
  throw new ApiError(
    404,
    `the steerable model ${model.id} has no trait ${JSON.stringify(name)} (its traits: ${names})`,
    "trait_not_found",
    "trait",
  );
}

/** The trait's condition, or a 404 when it has none. */
export function requireCondition(trait: TraitRow): TraitCondition {
  if (trait.condition) return trait.condition;
  throw new ApiError(
    404,
    `the trait ${trait.name} has no condition: calibrate one with POST .../traits/${trait.name}/condition`,
    "condition_not_found",
    "trait",
  );
}

/** Stores (or, null, forgets) the trait's condition. */
export async function setCondition(
  db: Db,
  trait: Pick<TraitRow, "modelId" | "name">,
  condition: TraitCondition | null,
): Promise<void> {
  await db
    .update(traits)
    .set({ condition })
    .where(and(eq(traits.modelId, trait.modelId), eq(traits.name, trait.name)));
}

export function toApiCondition(trait: string, condition: TraitCondition): ApiTraitCondition {
  return {
    object: "trait.condition",
    trait,
    layer: condition.layer,
    [condition.comparator]: condition.threshold,
    multiplier: condition.multiplier,
    f1: condition.f1,
    precision: condition.precision,
    recall: condition.recall,
    examples: {
      should_fire: condition.examples.shouldFire,
      should_not_fire: condition.examples.shouldNotFire,
    },
    layers: condition.layers ?? [],
    calibrated_at: unixSeconds(condition.calibratedAt),
  };
}

/** Trait name -> its condition, as a model shows them: of the traits calibrated. */
export function traitConditions(traitList: readonly TraitRow[]): Record<string, ApiTraitCondition> {
  return Object.fromEntries(
    traitList.flatMap((trait) =>
      trait.condition ? [[trait.name, toApiCondition(trait.name, trait.condition)]] : [],
    ),
  );
}
