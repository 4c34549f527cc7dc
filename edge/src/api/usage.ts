// GET /v1/usage: the caller's metered tokens per model per UTC day, over an optional range of days.
import { z } from "zod";
import { listOf } from "../../../shared/openai/list.ts";
import { USAGE_KINDS } from "../db/schema.ts";

/** A UTC day, YYYY-MM-DD, that exists on the calendar. */
export const daySchema = z.iso.date("must be a date, YYYY-MM-DD");

export const usageQuerySchema = z
  .strictObject({
    start: daySchema.optional().describe("The first day to include (default: no lower bound)"),
    end: daySchema.optional().describe("The last day to include (default: no upper bound)"),
    model: z
      .string()
      .min(1)
      .optional()
      .describe("Only this model: a steerable model's id or a base model's"),
  })
  .refine((query) => !query.start || !query.end || query.start <= query.end, {
    message: "must not be after end",
    path: ["start"],
  });

export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageRowSchema = z.object({
  day: daySchema,
  model: z.string().describe("A steerable model's id, or a base model's"),
  kind: z
    .enum(USAGE_KINDS)
    .describe(
      "inference: requests to the model; evaluation: evaluations of its traits; generation: " +
        "the writing of its described traits' persona pairs; calibration: the calibration of " +
        "its traits' conditions (prompt tokens only)",
    ),
  requests: z
    .number()
    .int()
    .describe(
      "Requests (or evaluations, traits generated, conditions calibrated) that produced tokens",
    ),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export type UsageRow = z.infer<typeof usageRowSchema>;

export const usageListSchema = listOf(usageRowSchema).meta({
  id: "UsageList",
  description: "Usage rows, ordered by day, then model",
});

export type UsageList = z.infer<typeof usageListSchema>;
