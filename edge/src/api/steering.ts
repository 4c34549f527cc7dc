// Steering as a request asks for it, in `steering` (chat) or `control_settings` (the original
// /completions): trait -> multiplier, or trait -> a multiplier that applies only when a condition
// on the prompt fires; and `route`, a list of traits each turned on when its own calibrated
// condition fires. A trait is one of the named model's, or any ready model's of the caller's on
// the same base model, as "<model id>/<trait>".
import { z } from "zod";
import { jsonRecord } from "../../../shared/http/json-record.ts";
import { MAX_MULTIPLIER } from "../../../shared/limits.ts";
import {
  BOTH_THRESHOLDS,
  conditionFields,
  notBothThresholds,
} from "../../../shared/steering/conditions.ts";

/** "<trait>", or "<model id>/<trait>": ids and trait names hold no slash. */
export const STEERING_KEY = /^(?:[^/\s]+\/)?[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The key whose list routes (a trait named "route" still takes a multiplier or a condition). */
export const ROUTE_KEY = "route";

const steeringKey = z
  .string()
  .regex(STEERING_KEY, 'must be a trait name, or "<model id>/<trait name>"');

const multiplier = z
  .number()
  .min(-MAX_MULTIPLIER)
  .max(MAX_MULTIPLIER)
  .describe(
    `The trait's weight (-${MAX_MULTIPLIER} to ${MAX_MULTIPLIER}; useful values lie within about +-2)`,
  );

export const steeringConditionSchema = z
  .strictObject({
    trait: steeringKey.describe(
      "The trait whose direction is read: its calibrated condition's (POST " +
        "/v1/steerable-models/{id}/traits/{trait}/condition) when it has one, else its steering " +
        'vector\'s; "<trait>" of the named model or "<model id>/<trait>"',
    ),
    ...conditionFields,
    above: conditionFields.above.describe(
      "Fires when the measured cosine is above this (-1 to 1); by default the calibrated " +
        "condition's threshold; a trait with none needs above or below",
    ),
  })
  .refine(notBothThresholds, { message: BOTH_THRESHOLDS, path: ["below"] })
  .describe("Applies the multiplier only when the prompt's hidden states say so");

export const conditionalSteeringSchema = z
  .strictObject({ multiplier, when: steeringConditionSchema })
  .meta({ id: "ConditionalSteering" });

export type ConditionalSteering = z.infer<typeof conditionalSteeringSchema>;

const routeSchema = z
  .array(steeringKey)
  .describe(
    "Under the key route: traits each turned on, with its calibrated multiplier, when its own " +
      "calibrated condition fires (several may)",
  );

export const steeringSchema = jsonRecord(
  z.string().regex(STEERING_KEY, 'must be a trait name, or "<model id>/<trait name>"'),
  z.union([multiplier, conditionalSteeringSchema, routeSchema]),
)
  .superRefine((steering, context) => {
    for (const [key, value] of Object.entries(steering)) {
      if (Array.isArray(value) && key !== ROUTE_KEY) {
        const message = `only ${ROUTE_KEY} holds a list of traits; a trait takes a multiplier or {multiplier, when}`;
        context.addIssue({ code: "custom", path: [key], message, input: value });
      }
    }
  })
  .describe(
    `Trait -> multiplier (-${MAX_MULTIPLIER} to ${MAX_MULTIPLIER}; useful values lie within about ` +
      "+-2), or -> {multiplier, when: {trait, above | below, layer?, during?, window?}}, applied " +
      `only when the condition fires; and "${ROUTE_KEY}": [trait, ...], each turned on when its ` +
      "calibrated condition fires. A trait is one of the named model's, or any of your ready " +
      'models\' on the same base model as "<model id>/<trait>", so one request can mix an installed ' +
      "preset with your own traits",
  );

export type SteeringRequest = z.infer<typeof steeringSchema>;
