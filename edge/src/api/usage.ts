// GET /v1/usage: the caller's metered tokens per model per UTC day, over an optional range of days;
// GET /v1/usage/requests: the rows themselves, one per request, newest first, a page at a time.
import { z } from "zod";
import { listOf } from "../../../shared/openai/list.ts";
import { steeringReportSchema } from "../../../shared/steering/conditions.ts";
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

const modelSchema = z.string().describe("A steerable model's id, or a base model's");

const kindSchema = z
  .enum(USAGE_KINDS)
  .describe(
    "inference: requests to the model; evaluation: evaluations of its traits; generation: " +
      "the writing of its described traits' persona pairs; calibration: the calibration of " +
      "its traits' conditions (prompt tokens only)",
  );

export const usageRowSchema = z.object({
  day: daySchema,
  model: modelSchema,
  kind: kindSchema,
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

export const usageRequestsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe("1 to 100 (default 20)"),
  after: z
    .string()
    .min(1)
    .optional()
    .describe(
      "A request_id of yours: the page starts at the row after it (the previous page's last_id)",
    ),
});

export type UsageRequestsQuery = z.infer<typeof usageRequestsQuerySchema>;

export const usageRequestSchema = z
  .object({
    request_id: z
      .string()
      .describe(
        "What was metered: a request's x-request-id; an evaluation's id; a described trait's " +
          "generation, as <model id>/<trait>",
      ),
    object: z.literal("usage.request"),
    created: z.number().int().describe("Unix seconds: when the request ended"),
    model: modelSchema,
    kind: kindSchema,
    endpoint: z.string().describe("The route it came through, as declared (/v1/chat/completions)"),
    outcome: z
      .enum(["completed", "cancelled", "failed"])
      .describe(
        "completed; cancelled: its client left (metered for what was made); failed: its GPU " +
          "node broke off a stream (metered for what was sent)",
      ),
    finish_reason: z
      .enum(["stop", "length"])
      .nullable()
      .describe(
        "How the answer ended (OpenAI's finish_reason); null for one its node cut short, and " +
          "for usage that is not an answer (evaluations, generations, calibrations)",
      ),
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
    steering_report: steeringReportSchema
      .nullable()
      .describe("What a steered request's steering applied, as its answer reported it"),
  })
  .meta({ id: "UsageRequest" });

export type UsageRequest = z.infer<typeof usageRequestSchema>;

export const usageRequestListSchema = listOf(usageRequestSchema)
  .extend({
    first_id: z.string().nullable().describe("The page's first request_id"),
    last_id: z.string().nullable().describe("The page's last request_id: the next page's after"),
    has_more: z.boolean().describe("Whether older rows follow"),
  })
  .meta({
    id: "UsageRequestList",
    description: "Usage rows, one per request, newest first: the line items of a billing export",
  });

export type UsageRequestList = z.infer<typeof usageRequestListSchema>;
