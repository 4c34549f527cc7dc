// Which layers an extraction steers, as a request asks it and as the extraction reports its
// choice: the GPU node's extraction jobs and the public API's steerable models (model-wide) both
// take `layers` in this shape, and both say what was chosen and why in `layer_choice`. The rule
// itself is the node's (gpu-node/extraction/layer-choice.ts).
import { z } from "zod";

/** The fixed band's spelling in `layers`. */
export const FIXED_BAND = "band";

/**
 * How the layers were chosen: by measuring where the trait reads best (the default), the fixed
 * upper-middle band, or the layers the request named.
 */
export const LAYER_CHOICE_BY = ["measurement", "band", "request"] as const;

export type LayerChoiceBy = (typeof LAYER_CHOICE_BY)[number];

export const layerSelectionSchema = z
  .union([
    z
      .array(z.number().int().min(1))
      .min(1)
      .max(1024)
      .describe("These layers (0-based, as control vectors count them; layer 0 is never steered)"),
    z.literal(FIXED_BAND).describe("The fixed upper middle of the stack"),
  ])
  .describe(
    "The layers to steer. Left out, they are chosen by measurement: the contiguous band where " +
      "the trait reads best on held-out pairs. `band`: the fixed upper middle of the stack " +
      "(repeng's layers 15-27 of 32, scaled to the model). A list: those layers",
  );

export type LayerSelection = z.output<typeof layerSelectionSchema>;

export const layerScoreSchema = z.object({
  layer: z.number().int(),
  readability: z
    .number()
    .describe(
      "How well the trait reads here, 0 to 1: held-out accuracy above chance (2 x accuracy - 1) " +
        "times held-out explained variance",
    ),
  held_out_accuracy: z
    .number()
    .describe("The share of pairs a direction fitted without them orders correctly"),
  held_out_explained_variance: z
    .number()
    .describe("The share of those pairs' squared differences along that direction"),
});

export type LayerScore = z.infer<typeof layerScoreSchema>;

export const layerChoiceSchema = z
  .object({
    by: z.enum(LAYER_CHOICE_BY).describe("measurement, band (the fixed band) or request"),
    layers: z.array(z.number().int()).describe("The layers the vector steers, ascending"),
    reason: z.string().describe("Why these, in a line"),
    scores: z
      .array(layerScoreSchema)
      .nullable()
      .describe("By measurement: every candidate layer's score, which decided it"),
  })
  .meta({ id: "LayerChoice" });

export type LayerChoice = z.infer<typeof layerChoiceSchema>;
