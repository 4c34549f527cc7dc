// The GPU node's condition calibration (CAST's method): prompts that should fire a condition and
// prompts that should not in; the direction that separates them at each candidate layer, and the
// layer, comparator and threshold that separate them best (by F1), out. The chosen layer's
// direction is stored as a one-layer control vector, which a conditional term then reads
// (generation.ts). Synchronous: a few dozen prompts read once take about a second on a GPU.
//
// Each example is read as a chat request's prompt: a user message in the model's chat template,
// the assistant's turn opened. What calibration measures is then what a request's condition reads.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { errorAnswers, jsonAnswer, jsonBody } from "../http/openapi.ts";
import { MAX_CONDITION_EXAMPLES, MAX_EXAMPLE_CHARS } from "../limits.ts";
import { VECTOR_ID } from "./vectors.ts";

/** Examples on a side: two at least, so that a side has a mean and a threshold has a gap. */
export const MIN_CONDITION_EXAMPLES = 2;

export const CONDITION_COMPARATORS = ["above", "below"] as const;

export type ConditionComparator = (typeof CONDITION_COMPARATORS)[number];

const example = z.string().min(1).max(MAX_EXAMPLE_CHARS);

const examples = (what: string) =>
  z
    .array(example)
    .min(MIN_CONDITION_EXAMPLES)
    .max(MAX_CONDITION_EXAMPLES)
    .describe(
      `${MIN_CONDITION_EXAMPLES} to ${MAX_CONDITION_EXAMPLES} user messages ${what}, each read ` +
        "as a chat request's prompt",
    );

/** The examples and candidate layers: the node's request, and the edge's too. */
export const calibrationFields = {
  should_fire: examples("the condition should fire on"),
  should_not_fire: examples("it should not fire on"),
  layers: z
    .array(z.number().int().min(1))
    .min(1)
    .max(1024)
    .optional()
    .describe(
      "The candidate layers (0-based, as control vectors count them); default: every layer but " +
        "the first and the last",
    ),
};

export const calibrationRequestSchema = z.strictObject(calibrationFields);

export type CalibrationRequest = z.input<typeof calibrationRequestSchema>;

const cosine = z.number().min(-1).max(1);

export const layerCalibrationSchema = z.object({
  layer: z.number().int(),
  f1: z.number().describe("The best F1 a threshold reaches at this layer, 0 to 1"),
  comparator: z.enum(CONDITION_COMPARATORS),
  threshold: cosine.describe("The cosine that threshold is"),
  margin: z
    .number()
    .describe("How far the threshold lies from the nearest example's cosine: ties go to the wider"),
});

export type LayerCalibration = z.infer<typeof layerCalibrationSchema>;

export const calibrationSchema = z
  .object({
    object: z.literal("condition_calibration"),
    vector: z
      .string()
      .regex(VECTOR_ID)
      .describe("The stored one-layer control vector whose direction the condition reads"),
    layer: z.number().int().describe("The chosen layer: the best F1 (ties: wider margin, lower)"),
    comparator: z.enum(CONDITION_COMPARATORS).describe("above: fires when the cosine is above"),
    threshold: cosine,
    f1: z.number(),
    precision: z.number().describe("Of the examples it fires on, the share that should fire"),
    recall: z.number().describe("Of the examples that should fire, the share it fires on"),
    layers: z.array(layerCalibrationSchema).describe("Every candidate layer's best, ascending"),
    usage: z
      .object({ prompt_tokens: z.number().int() })
      .describe("The examples' tokens, all of them read"),
  })
  .meta({ id: "NodeConditionCalibration" });

export type Calibration = z.infer<typeof calibrationSchema>;

export const calibrateConditionRoute = createRoute({
  method: "post",
  path: "/v1/conditions/calibrations",
  summary:
    "Calibrate a condition on examples that should and should not fire it: a direction per " +
    "layer, and the layer and threshold with the best F1; the direction is stored as a vector",
  request: { body: jsonBody(calibrationRequestSchema) },
  responses: {
    200: jsonAnswer(calibrationSchema, "The calibration, its vector stored"),
    ...errorAnswers({
      400:
        "The request is invalid, an example does not fit the model's context, a layer is out of " +
        "range, or the two sides' hidden states do not differ (param names the field)",
      401: "The node's bearer token is missing or wrong",
      413: "The body is too large",
      503: "The node is shutting down",
    }),
  },
});
