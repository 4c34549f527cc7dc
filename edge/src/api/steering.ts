// Steering as a request asks for it: trait -> multiplier, in `steering` (chat) or
// `control_settings` (the original /completions). A trait is one of the named model's, or any
// ready model's of the caller's on the same base model, as "<model id>/<trait>".
import { z } from "zod";
import { jsonRecord } from "../../../shared/http/json-record.ts";
import { MAX_MULTIPLIER } from "../../../shared/limits.ts";

/** "<trait>", or "<model id>/<trait>": ids and trait names hold no slash. */
export const STEERING_KEY = /^(?:[^/\s]+\/)?[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const steeringSchema = jsonRecord(
  z.string().regex(STEERING_KEY, 'must be a trait name, or "<model id>/<trait name>"'),
  z.number().min(-MAX_MULTIPLIER).max(MAX_MULTIPLIER),
).describe(
  `Trait -> multiplier (-${MAX_MULTIPLIER} to ${MAX_MULTIPLIER}; useful values lie within about ` +
    "+-2). A trait is one of the named model's, or any of your ready models' on the same base " +
    'model as "<model id>/<trait>", so one request can mix an installed preset with your own traits',
);

export type SteeringRequest = z.infer<typeof steeringSchema>;
