// The GPU node's evaluation jobs: a stored vector, a trait and its settings in; what steering does at
// each multiplier out (shared/evaluation/result.ts's measurements). POST answers 202 with a queued
// job; GET polls it; DELETE cancels it. The node runs jobs one at a time, beside generation; the
// edge turns a job's measurements into the result its caller reads (shared/evaluation/summary.ts).
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { mmluQuestionSchema } from "../evaluation/mmlu.ts";
import { evaluationMeasurementsSchema } from "../evaluation/result.ts";
import { evaluationSettingsFields } from "../evaluation/settings.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../http/openapi.ts";
import {
  MAX_EXAMPLE_CHARS,
  MAX_JSON_BODY_BYTES,
  MAX_MMLU_QUESTIONS,
  MAX_MMLU_SHOTS,
} from "../limits.ts";
import { VECTOR_ID } from "./vectors.ts";

export const nodeMmluSchema = z
  .strictObject({
    shots: z.number().int().min(0).max(MAX_MMLU_SHOTS),
    questions: z.array(mmluQuestionSchema).min(1).max(MAX_MMLU_QUESTIONS),
    examples: z
      .array(mmluQuestionSchema)
      .max(MAX_MMLU_QUESTIONS * MAX_MMLU_SHOTS)
      .describe("The few-shot examples: each question's first `shots` of its subject's, in order"),
  })
  .describe("The MMLU questions to ask at every multiplier (the caller chose them)");

export const nodeEvaluationRequestSchema = z.strictObject({
  vector_id: z.string().regex(VECTOR_ID, "must be a vector id (64 hex digits) the node stores"),
  trait: z
    .string()
    .min(1)
    .max(MAX_EXAMPLE_CHARS)
    .describe("The trait's name: the judge's descriptor unless `description` gives one"),
  ...evaluationSettingsFields,
  mmlu: nodeMmluSchema.optional(),
});

export type NodeEvaluationRequest = z.input<typeof nodeEvaluationRequestSchema>;

export const evaluationStageSchema = z.enum(["generating", "judging", "mmlu", "kl"]);

export const nodeEvaluationJobSchema = z
  .object({
    id: z.string(),
    object: z.literal("evaluation"),
    status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
    created: z.number().int().describe("Unix seconds"),
    progress: z
      .object({
        stage: evaluationStageSchema.nullable(),
        done: z.number().int(),
        total: z.number().int(),
      })
      .describe("Steps done of all of them (answers, judge scores, MMLU questions, KL passes)"),
    measurements: evaluationMeasurementsSchema.nullable(),
    usage: z
      .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() })
      .describe("Tokens the job has decoded so far: answers, the judge, MMLU and KL"),
    error: z.object({ message: z.string(), code: z.string() }).nullable(),
  })
  .meta({ id: "NodeEvaluation" });

export type NodeEvaluationJob = z.infer<typeof nodeEvaluationJobSchema>;

const unauthorized = { 401: "The node's bearer token is missing or wrong" } as const;
const jobId = z.object({ id: z.string() });

export const submitEvaluationRoute = createRoute({
  method: "post",
  path: "/v1/evaluations",
  summary:
    "Queue an evaluation of a stored vector; its prompts are checked against the context first",
  request: { body: jsonBody(nodeEvaluationRequestSchema) },
  responses: {
    202: jsonAnswer(nodeEvaluationJobSchema, "The queued job"),
    ...errorAnswers({
      ...unauthorized,
      400: "A setting is invalid, or a prompt does not fit the context (param names the field)",
      404: "The vector is not stored on the node (code vector_not_found)",
      413: `The body is over ${MAX_JSON_BODY_BYTES} bytes`,
      503: "The node is shutting down",
    }),
  },
});

export const getEvaluationRoute = createRoute({
  method: "get",
  path: "/v1/evaluations/{id}",
  summary:
    "A job: queued, running with progress, succeeded with its measurements, failed, cancelled",
  request: { params: jobId },
  responses: {
    200: jsonAnswer(nodeEvaluationJobSchema, "The job"),
    ...errorAnswers({ ...unauthorized, 404: "No such job (a node forgets them when it restarts)" }),
  },
});

export const cancelEvaluationRoute = createRoute({
  method: "delete",
  path: "/v1/evaluations/{id}",
  summary: "Cancel a queued or running job (a finished one stays as it is)",
  request: { params: jobId },
  responses: {
    200: jsonAnswer(nodeEvaluationJobSchema, "The job"),
    ...errorAnswers({ ...unauthorized, 404: "No such job" }),
  },
});
