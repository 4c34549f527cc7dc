// Conditional steering: a term that applies only when the text calls for it, as IBM's Conditional
// Activation Steering (CAST) does. Its condition reads the residual stream at one layer: the cosine
// of the mean hidden state over the prompt's tokens with a direction, against a threshold. A
// cosine, not a raw projection, so that one threshold means the same at any layer of any model,
// whose hidden states' norms differ by orders of magnitude.
//
// The edge's request names the direction by trait, the GPU node's by vector id; what a condition
// says besides, and what an answer reports of the steering it applied, are the same on both sides
// and defined here.
import { z } from "zod";
import { jsonRecord } from "../http/json-record.ts";
import { DEFAULT_CONDITION_WINDOW, MAX_CONDITION_WINDOW } from "../limits.ts";

const cosine = z.number().min(-1).max(1);

/** A condition's fields besides the direction it reads. */
export const conditionFields = {
  above: cosine
    .optional()
    .describe("Fires when the measured cosine is above this (-1 to 1); give above or below"),
  below: cosine.optional().describe("Fires when the measured cosine is below this (-1 to 1)"),
  layer: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "The layer whose output is read (0-based, as control vectors count layers); by default the " +
        "condition's calibrated layer, else the middle of its vector's layers",
    ),
  during: z
    .boolean()
    .optional()
    .describe(
      "Re-check while generating too: a condition the prompt did not fire fires at the first " +
        "token where the mean over the last `window` generated tokens crosses the threshold, and " +
        "steers from that token on",
    ),
  window: z
    .number()
    .int()
    .min(1)
    .max(MAX_CONDITION_WINDOW)
    .optional()
    .describe(`Generated tokens a re-check averages over (default ${DEFAULT_CONDITION_WINDOW})`),
};

/** Above and below together can never both be asked of one condition. */
export function notBothThresholds(condition: { above?: number; below?: number }): boolean {
  return condition.above === undefined || condition.below === undefined;
}

export const BOTH_THRESHOLDS = "give one of above and below, not both";

/** What an answer says of one steering term: the multiplier applied, and its condition's reading. */
export const steeringReportEntrySchema = z.object({
  multiplier: z
    .number()
    .describe("The multiplier applied: the one asked for, or 0 where a condition held it off"),
  condition: z
    .object({
      trait: z
        .string()
        .describe(
          "The trait whose direction was read, as the request named it (a node: its vector id)",
        ),
      layer: z.number().int(),
      above: cosine.optional(),
      below: cosine.optional(),
      projection: z
        .number()
        .nullable()
        .describe(
          "The cosine of the prompt's mean hidden state at the layer with the direction (null: " +
            "the request ended before its prompt was read)",
        ),
      fired: z.boolean(),
      fired_at_token: z
        .number()
        .int()
        .nullable()
        .describe(
          "The first completion token drawn under its steering (0: it fired on the prompt, which " +
            "it steered too, at the layers above its own); null when it never fired",
        ),
      window_projection: z
        .number()
        .nullish()
        .describe(
          "Re-checked while generating: the window's cosine where it fired, else the last one " +
            "measured (null before a window was full)",
        ),
    })
    .optional()
    .describe("Only for a conditional term"),
});

export type SteeringReportEntry = z.infer<typeof steeringReportEntrySchema>;

/** Per steering term, as the request named it (a node: by vector id). */
export const steeringReportSchema = jsonRecord(z.string(), steeringReportEntrySchema)
  .describe(
    "What the steering applied, per term the request named: its multiplier, and for a " +
      "conditional one what its condition measured and whether it fired",
  )
  .meta({ id: "SteeringReport" });

export type SteeringReport = z.infer<typeof steeringReportSchema>;
