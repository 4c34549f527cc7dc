// An evaluation's numbers. A GPU node measures (EvaluationMeasurements: every answer and its judge
// scores, MMLU answers right, KL); summary.ts turns measurements, margins and human ratings into the
// result a caller reads (EvaluationResult), and its answer-free part is the trait's quality card.
import { z } from "zod";

export const judgeKindSchema = z
  .enum(["base_model", "endpoint"])
  .describe("base_model: the deployment's own model, unsteered; endpoint: the operator's judge");

export const measuredAnswerSchema = z.object({
  text: z.string(),
  judge_score: z.number().describe("The judge's trait score, 0-10 (before any calibration)"),
  coherence: z.number().describe("The judge's coherence score, 0-10"),
});

export const measuredMultiplierSchema = z.object({
  multiplier: z.number(),
  answers: z.array(measuredAnswerSchema).describe("One per prompt, in the prompts' order"),
  mmlu_correct: z
    .number()
    .int()
    .nullable()
    .describe("MMLU questions answered right; null: none asked"),
  kl: z
    .number()
    .describe("Mean KL divergence (nats per token) from the unsteered model on neutral text"),
});

export const evaluationMeasurementsSchema = z
  .object({
    descriptor: z.string().describe("What the judge scored the answers for"),
    judge: z.object({ kind: judgeKindSchema, model: z.string() }),
    prompts: z.array(z.string()),
    max_tokens: z.number().int(),
    mmlu: z.object({ questions: z.number().int(), shots: z.number().int() }).nullable(),
    multipliers: z.array(measuredMultiplierSchema).describe("Ascending; 0 among them"),
  })
  .meta({ id: "EvaluationMeasurements" });

export type EvaluationMeasurements = z.infer<typeof evaluationMeasurementsSchema>;

export const intervalSchema = z
  .object({ mean: z.number(), low: z.number(), high: z.number() })
  .describe("A mean over the prompts with its 95% confidence interval");

export const rangeLimitSchema = z
  .enum(["coherence", "mmlu", "tested_range"])
  .describe("What ends the range: coherence or MMLU past their margins, or the multipliers tried");

export const recommendedRangeSchema = z
  .object({
    min: z.number(),
    max: z.number(),
    trait_effect: z.number().describe("Trait score at max minus trait score at min"),
    limited_by: z.object({ min: rangeLimitSchema, max: rangeLimitSchema }),
  })
  .describe(
    "The widest run of multipliers around 0 whose coherence and MMLU accuracy stay within the " +
      "margins of the unsteered answers': where the trait effect is largest within the limits",
  );

export const calibrationSchema = z
  .object({
    ratings: z.number().int().describe("Human-rated answers"),
    spearman: z.number().nullable().describe("Rank agreement of judge and humans; null: too few"),
    mean_absolute_error: z.number().describe("Between the judge's raw scores and the humans'"),
    slope: z.number().nullable(),
    intercept: z.number().nullable(),
    applied: z
      .boolean()
      .describe(
        "Trait scores are intercept + slope x judge score (needs 3 ratings of differing judge scores)",
      ),
  })
  .describe("The judge against human ratings, and the linear recalibration made from them");

const rowFields = {
  multiplier: z.number(),
  trait_score: intervalSchema.describe("0-10: how much the answers show the trait"),
  coherence: intervalSchema.describe("0-10: fluent, on topic, not repeating itself"),
  mmlu_accuracy: z.number().nullable().describe("0-1; null when no MMLU questions were asked"),
  kl: z
    .number()
    .describe("Mean KL divergence (nats per token) from the unsteered model on neutral text"),
};

export const evaluatedAnswerSchema = z.object({
  prompt_index: z.number().int(),
  text: z.string(),
  trait_score: z.number().describe("0-10, calibrated when ratings allow"),
  judge_score: z.number().describe("0-10, the judge's own"),
  coherence: z.number(),
});

const summaryFields = {
  recommended: recommendedRangeSchema,
  anti_steerable_rate: z
    .number()
    .describe("The share of prompts whose trait score falls as the multiplier rises"),
  margins: z.object({ max_coherence_drop: z.number(), max_mmlu_drop: z.number() }),
  mmlu: z.object({
    questions: z.number().int(),
    shots: z.number().int(),
    note: z.string().nullable().describe("Why there is no MMLU accuracy, when there is none"),
  }),
  judge: z.object({ kind: judgeKindSchema, model: z.string(), descriptor: z.string() }),
  calibration: calibrationSchema.nullable(),
};

export const evaluationResultSchema = z
  .object({
    multipliers: z.array(z.object({ ...rowFields, answers: z.array(evaluatedAnswerSchema) })),
    ...summaryFields,
    prompts: z.array(z.string()),
  })
  .meta({ id: "EvaluationResult" });

export type EvaluationResult = z.infer<typeof evaluationResultSchema>;

export const qualityCardSchema = z
  .object({
    evaluation: z.string().describe("The evaluation it comes from"),
    created: z.number().int().describe("Unix seconds"),
    multipliers: z.array(z.object(rowFields)),
    ...summaryFields,
  })
  .meta({ id: "QualityCard" });

export type QualityCard = z.infer<typeof qualityCardSchema>;

export const ratingSchema = z.strictObject({
  multiplier: z.number().describe("The answer's multiplier"),
  prompt_index: z.number().int().min(0).describe("The answer's prompt, by its index in `prompts`"),
  score: z.number().min(0).max(10).describe("A person's trait score for it, 0-10"),
});

export type Rating = z.infer<typeof ratingSchema>;
