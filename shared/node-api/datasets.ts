// The GPU node's dataset jobs: a trait's description in, persona pairs out, written by the node's
// generator (its own base model, unsteered, or an OpenAI-compatible endpoint its operator names)
// through a schema-constrained answer, then deduplicated and filtered. POST answers 202 with a
// queued job; GET polls it; DELETE cancels it. The edge stores the pairs with the trait, then trains
// the trait on them as on examples a person gave.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { errorAnswers, jsonAnswer, jsonBody } from "../http/openapi.ts";
import {
  DEFAULT_GENERATED_PAIRS,
  MAX_DESCRIPTION_CHARS,
  MAX_GENERATED_PAIRS,
  MAX_JSON_BODY_BYTES,
} from "../limits.ts";

/** What a trait is, in a person's words: the generator's brief. */
export const descriptionSchema = z
  .string()
  .max(MAX_DESCRIPTION_CHARS)
  .refine((value) => value.trim() !== "", "must not be blank")
  .describe(
    'The trait in your words ("speaks like a pirate"), from which persona pairs are written',
  );

/** How many persona pairs a generator writes for a description. */
export const generatedPairsSchema = z
  .number()
  .int()
  .min(1)
  .max(MAX_GENERATED_PAIRS)
  .describe(`Persona pairs to write (default ${DEFAULT_GENERATED_PAIRS})`);

export const datasetRequestSchema = z.strictObject({
  description: descriptionSchema,
  pairs: generatedPairsSchema.optional(),
});

export type DatasetRequest = z.input<typeof datasetRequestSchema>;

/** A persona pair: a persona with the trait, and one with its opposite. */
export const personaPairSchema = z.object({ positive: z.string(), negative: z.string() });

export type PersonaPair = z.infer<typeof personaPairSchema>;

/**
 * A job's failure code when the generator's answers, asked twice, held too few usable pairs: what
 * another job would most likely repeat, so the edge does not submit the job again.
 */
export const GENERATION_FAILED = "generation_failed";

export const datasetJobSchema = z
  .object({
    id: z.string(),
    object: z.literal("dataset"),
    status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
    created: z.number().int().describe("Unix seconds"),
    generator: z
      .object({ kind: z.enum(["base_model", "endpoint"]), model: z.string() })
      .describe("What writes the pairs: the node's own model, or its operator's endpoint"),
    pairs: z
      .array(personaPairSchema)
      .nullable()
      .describe(
        "Once succeeded: the usable pairs, deduplicated and filtered, at most as many as asked",
      ),
    usage: z
      .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() })
      .describe("Tokens the generator has used so far, retries included"),
    error: z
      .object({ message: z.string(), code: z.string() })
      .nullable()
      .describe(`Once failed: why (code ${GENERATION_FAILED}: too few usable pairs, twice)`),
  })
  .meta({ id: "Dataset" });

export type DatasetJob = z.infer<typeof datasetJobSchema>;

const unauthorized = { 401: "The node's bearer token is missing or wrong" } as const;
const jobId = z.object({ id: z.string() });

export const submitDatasetRoute = createRoute({
  method: "post",
  path: "/v1/datasets",
  summary: "Queue the writing of persona pairs for a described trait",
  request: { body: jsonBody(datasetRequestSchema) },
  responses: {
    202: jsonAnswer(datasetJobSchema, "The queued job"),
    ...errorAnswers({
      ...unauthorized,
      400: "The request is invalid, or the generator's prompt does not fit the context (param names the field)",
      413: `The body is over ${MAX_JSON_BODY_BYTES} bytes`,
      503: "The node is shutting down",
    }),
  },
});

export const getDatasetRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}",
  summary: "A job: queued, running, succeeded with its pairs, failed, cancelled",
  request: { params: jobId },
  responses: {
    200: jsonAnswer(datasetJobSchema, "The job"),
    ...errorAnswers({ ...unauthorized, 404: "No such job (a node forgets them when it restarts)" }),
  },
});

export const cancelDatasetRoute = createRoute({
  method: "delete",
  path: "/v1/datasets/{id}",
  summary: "Cancel a queued or running job (a finished one stays as it is)",
  request: { params: jobId },
  responses: {
    200: jsonAnswer(datasetJobSchema, "The job"),
    ...errorAnswers({ ...unauthorized, 404: "No such job" }),
  },
});
