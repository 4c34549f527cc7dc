// Extraction jobs: POST /v1/extractions (a dataset, in persona or pairs mode) answers 202 with a
// job; GET /v1/extractions/{id} polls it; DELETE /v1/extractions/{id} cancels it.
import { z } from "zod";
import { presetNameSchema } from "./presets.ts";

export const EXTRACTION_METHODS = ["pca", "pca_diff", "pca_center", "mean_diff"] as const;

const text = z.string().min(1);
const layers = z.array(z.number().int().min(1)).min(1).max(1024);

const personasSchema = z.object({
  positive: z.array(text).min(1),
  negative: z.array(text).min(1),
  template: text.optional(),
  openers: z.array(text).min(1).optional(),
});

const pairSchema = z.object({ positive: text, negative: text });

export const extractionRequestSchema = z
  .object({
    personas: personasSchema.optional(),
    pairs: z.array(pairSchema).min(1).optional(),
    method: z.enum(EXTRACTION_METHODS).optional(),
    layers: layers.optional(),
    /** A preset to point at the vector once the job succeeds (created or replaced). */
    name: presetNameSchema.optional(),
  })
  .superRefine((value, context) => {
    if ((value.personas === undefined) === (value.pairs === undefined)) {
      context.addIssue({
        code: "custom",
        message: "give exactly one of personas or pairs",
        path: ["personas"],
      });
    }
  });

export type ExtractionRequest = z.infer<typeof extractionRequestSchema>;

export type ExtractionStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface ExtractionLayerReport {
  layer: number;
  separation: number;
  explained_variance: number;
  mean_gap: number;
}

export interface ExtractionJob {
  id: string;
  object: "extraction";
  status: ExtractionStatus;
  created: number;
  method: (typeof EXTRACTION_METHODS)[number];
  /** The preset the job points at its vector when it succeeds, if it was given one. */
  name: string | null;
  /** Contrast pairs captured so far, of all of them (while running and after). */
  progress: { done: number; total: number };
  /** Once succeeded: the stored vector's id, usable in `steering`. */
  vector_id: string | null;
  report: ExtractionLayerReport[] | null;
  /** Once failed: why. */
  error: { message: string; code: string } | null;
}
