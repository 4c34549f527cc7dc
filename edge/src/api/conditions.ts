// A trait's calibrated condition (POST /v1/steerable-models/{id}/traits/{trait}/condition): the
// examples that should and should not fire it in, and out the layer, comparator and threshold on
// the prompt's cosine with the direction they separate (CAST's method, run by a GPU node), with how
// well they sort the examples. Routing (`steering: {"route": [...]}`) turns the trait on at its
// multiplier where its condition fires, and `when: {trait}` reads it.
import { z } from "zod";
import { MAX_MULTIPLIER } from "../../../shared/limits.ts";
import { calibrationFields, layerCalibrationSchema } from "../../../shared/node-api/conditions.ts";

/** What routing applies to a trait whose condition fires, when its calibration does not say. */
export const DEFAULT_ROUTE_MULTIPLIER = 1;

export const calibrateConditionSchema = z
  .strictObject({
    ...calibrationFields,
    multiplier: z
      .number()
      .min(-MAX_MULTIPLIER)
      .max(MAX_MULTIPLIER)
      .optional()
      .describe(
        `The multiplier routing applies to the trait when its condition fires (default ${DEFAULT_ROUTE_MULTIPLIER})`,
      ),
  })
  .meta({ id: "CalibrateCondition" });

export type CalibrateCondition = z.output<typeof calibrateConditionSchema>;

const cosine = z.number().min(-1).max(1);

export const traitConditionSchema = z
  .object({
    object: z.literal("trait.condition"),
    trait: z.string(),
    layer: z.number().int().describe("The layer whose output it reads (0-based)"),
    above: cosine
      .optional()
      .describe("It fires when the prompt's cosine with its direction is above this"),
    below: cosine.optional().describe("It fires when the cosine is below this"),
    multiplier: z.number().describe("What routing applies to the trait when it fires"),
    f1: z.number().describe("How well it sorted its examples, 0 to 1"),
    precision: z.number().describe("Of the examples it fired on, the share that should fire"),
    recall: z.number().describe("Of the examples that should fire, the share it fired on"),
    examples: z
      .object({ should_fire: z.number().int(), should_not_fire: z.number().int() })
      .describe("How many examples it was calibrated on, each side"),
    layers: z
      .array(layerCalibrationSchema)
      .describe("Each candidate layer's best threshold and its F1 (the chosen layer is the best)"),
    calibrated_at: z.number().int().describe("Unix seconds"),
  })
  .meta({ id: "TraitCondition" });

export type ApiTraitCondition = z.infer<typeof traitConditionSchema>;

export const traitConditionDeletedSchema = z
  .object({
    object: z.literal("trait.condition"),
    trait: z.string(),
    deleted: z.literal(true),
  })
  .meta({ id: "TraitConditionDeleted" });
