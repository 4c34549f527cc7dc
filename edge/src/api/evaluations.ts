// Evaluations: how one trait of a steerable model steers. A GPU node answers a set of prompts at
// each multiplier, has a judge score the answers for the trait and for coherence, asks MMLU
// questions under steering and measures the KL divergence from the unsteered model; the result
// says which multipliers are worth using (the recommended range). People's ratings of some
// answers recalibrate the judge. The settings and the result's shape are shared with the node
// (shared/evaluation/).
import { z } from "zod";
import { evaluationResultSchema, ratingSchema } from "../../../shared/evaluation/result.ts";
import {
  evaluationMarginsFields,
  evaluationSettingsFields,
  mmluSettingsSchema,
} from "../../../shared/evaluation/settings.ts";
import { MAX_EVALUATION_MULTIPLIERS, MAX_EVALUATION_PROMPTS } from "../../../shared/limits.ts";
import { nodeEvaluationJobSchema } from "../../../shared/node-api/evaluations.ts";
import { listOf } from "../../../shared/openai/list.ts";
import { EVALUATION_STATUSES } from "../db/schema.ts";
import { traitNameSchema } from "./steerable-models.ts";

export const createEvaluationSchema = z
  .strictObject({
    model: z.string().min(1).describe("One of your steerable models, ready"),
    trait: traitNameSchema.describe("The trait of it to evaluate"),
    ...evaluationSettingsFields,
    mmlu: mmluSettingsSchema.optional(),
    ...evaluationMarginsFields,
  })
  .meta({ id: "CreateEvaluation" });

export type CreateEvaluation = z.infer<typeof createEvaluationSchema>;

export const evaluationStatusSchema = z
  .enum(EVALUATION_STATUSES)
  .describe(
    "queued (waiting for a GPU node, or in its queue) -> running -> succeeded (result), or " +
      "failed (failure_reason says why), or cancelled (on its GPU node, by its operator)",
  );

export const evaluationSchema = z
  .object({
    id: z.string(),
    object: z.literal("evaluation"),
    model: z.string().describe("The steerable model evaluated"),
    trait: z.string(),
    status: evaluationStatusSchema,
    progress: nodeEvaluationJobSchema.shape.progress,
    created: z.number().int().describe("Unix seconds"),
    failure_reason: z.string().nullable(),
    result: evaluationResultSchema.nullable().describe("Once succeeded"),
  })
  .meta({ id: "Evaluation" });

export type Evaluation = z.infer<typeof evaluationSchema>;

export const evaluationListSchema = listOf(evaluationSchema).meta({ id: "EvaluationList" });

export const evaluationDeletedSchema = z
  .object({ id: z.string(), object: z.literal("evaluation"), deleted: z.literal(true) })
  .meta({ id: "EvaluationDeleted" });

export const rateEvaluationSchema = z
  .strictObject({
    ratings: z
      .array(ratingSchema)
      .min(1)
      // One per answer at most: each multiplier (0 included) answers each prompt once.
      .max(MAX_EVALUATION_MULTIPLIERS * MAX_EVALUATION_PROMPTS)
      .describe(
        "People's trait scores for some of the answers; a later rating of an answer replaces " +
          "an earlier one",
      ),
  })
  .meta({ id: "RateEvaluation" });
