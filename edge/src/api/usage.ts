// GET /v1/usage: the caller's metered tokens per model per UTC day, over an optional range of days.
import { z } from "zod";

/** A UTC day, YYYY-MM-DD, that exists on the calendar. */
export const daySchema = z.iso.date("must be a date, YYYY-MM-DD");

export const usageQuerySchema = z
  .object({
    /** The first day to include (default: no lower bound). */
    start: daySchema.optional(),
    /** The last day to include (default: no upper bound). */
    end: daySchema.optional(),
    /** Only this model: a steerable model's id or the base model's. */
    model: z.string().min(1).optional(),
  })
  .refine((query) => !query.start || !query.end || query.start <= query.end, {
    message: "must not be after end",
    path: ["start"],
  });

export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageRowSchema = z.object({
  day: daySchema,
  /** A steerable model's id, or the base model's. */
  model: z.string(),
  /** Requests that produced tokens. */
  requests: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export type UsageRow = z.infer<typeof usageRowSchema>;

export const usageListSchema = z.object({
  object: z.literal("list"),
  /** Ordered by day, then model. */
  data: z.array(usageRowSchema),
});

export type UsageList = z.infer<typeof usageListSchema>;
