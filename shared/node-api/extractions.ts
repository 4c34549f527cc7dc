// The GPU node's extraction jobs: a contrastive dataset in, a control vector (stored on the node)
// out. POST answers 202 with a queued job; GET polls it; DELETE cancels it. POST .../validate checks
// a request as POST would, and says what it would capture, without queueing anything: the edge
// asks it before it accepts a steerable model, so that a model it accepts is one a node will train.
//
// Persona mode is the product's recipe (the original steering-api's and repeng's): each persona
// goes into a user instruction (the template) inside the model's own chat template, and every
// token-prefix of every opener starts the assistant's reply; hidden states are read at the last
// token. Pairs mode takes raw texts as they are.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { errorAnswers, jsonAnswer, jsonBody } from "../http/openapi.ts";
import {
  MAX_EXAMPLE_CHARS,
  MAX_EXAMPLES,
  MAX_EXTRACTION_PAIRS,
  MAX_INSTRUCTION_CHARS,
  MAX_JSON_BODY_BYTES,
  MAX_OPENERS,
} from "../limits.ts";
import { LAYER_CHOICE_BY, layerChoiceSchema, layerSelectionSchema } from "./layers.ts";

export const EXTRACTION_METHODS = ["pca", "pca_diff", "pca_center", "mean_diff"] as const;

export type ExtractionMethod = (typeof EXTRACTION_METHODS)[number];

/** Where a persona goes in the template. */
export const PERSONA_PLACEHOLDER = "{persona}";

/** The user instruction a persona is put in when a dataset gives no template of its own. */
export const DEFAULT_PERSONA_TEMPLATE = "Respond as an extremely {persona} person would.";

/** A persona, an opener or a text: taken as it is (spaces matter to the tokenizer), never blank. */
export const personaTextSchema = z
  .string()
  .max(MAX_EXAMPLE_CHARS)
  .refine((value) => value.trim() !== "", "must not be blank");

export const personaTemplateSchema = personaTextSchema
  .refine((template) => template.includes(PERSONA_PLACEHOLDER), {
    message: `must hold ${PERSONA_PLACEHOLDER}`,
  })
  .describe(
    `A user instruction holding ${PERSONA_PLACEHOLDER}, where each persona goes (default: ` +
      `"${DEFAULT_PERSONA_TEMPLATE}")`,
  );

export const openersSchema = z
  .array(personaTextSchema)
  .min(1)
  .max(MAX_OPENERS)
  .describe(
    "Starts of the assistant's reply; every token-prefix of each is used (default: built in)",
  );

export const personasSchema = z
  .strictObject({
    positive: z.array(personaTextSchema).min(1).max(MAX_EXAMPLES),
    negative: z.array(personaTextSchema).min(1).max(MAX_EXAMPLES),
    template: personaTemplateSchema.optional(),
    openers: openersSchema.optional(),
  })
  .refine((personas) => personas.positive.length === personas.negative.length, {
    message: "personas come in pairs: give as many negative as positive",
    path: ["negative"],
  })
  .superRefine((personas, context) => {
    const template = personas.template ?? DEFAULT_PERSONA_TEMPLATE;
    const places = template.split(PERSONA_PLACEHOLDER).length - 1;
    for (const side of ["positive", "negative"] as const) {
      personas[side].forEach((persona, i) => {
        const chars = template.length + places * (persona.length - PERSONA_PLACEHOLDER.length);
        if (chars <= MAX_INSTRUCTION_CHARS) return;
        context.addIssue({
          code: "custom",
          path: [side, i],
          message: `put in the template, it makes an instruction of ${chars} characters; the limit is ${MAX_INSTRUCTION_CHARS}`,
        });
      });
    }
  });

export const pairsSchema = z
  .array(z.strictObject({ positive: personaTextSchema, negative: personaTextSchema }))
  .min(1)
  .max(MAX_EXTRACTION_PAIRS)
  .describe("Raw texts, each pair differing in the trait alone");

export const extractionRequestSchema = z
  .strictObject({
    personas: personasSchema.optional(),
    pairs: pairsSchema.optional(),
    method: z.enum(EXTRACTION_METHODS).optional().describe("Default pca"),
    layers: layerSelectionSchema.optional(),
  })
  .refine((request) => (request.personas === undefined) !== (request.pairs === undefined), {
    message: "give exactly one of personas or pairs",
    path: ["personas"],
  });

export type ExtractionRequest = z.input<typeof extractionRequestSchema>;

export const extractionStatusSchema = z.enum([
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
]);

export type ExtractionStatus = z.infer<typeof extractionStatusSchema>;

export const extractionLayerReportSchema = z.object({
  layer: z.number().int(),
  separation: z.number().describe("The share of pairs the direction orders correctly"),
  explained_variance: z.number().describe("The share of the pairs' squared differences along it"),
  mean_gap: z.number().describe("How far apart the two sides lie along it"),
});

export const extractionJobSchema = z
  .object({
    id: z.string(),
    object: z.literal("extraction"),
    status: extractionStatusSchema,
    created: z.number().int().describe("Unix seconds"),
    method: z.enum(EXTRACTION_METHODS),
    progress: z
      .object({ done: z.number().int(), total: z.number().int() })
      .describe("Contrast pairs captured so far, of all of them"),
    vector_id: z.string().nullable().describe("Once succeeded: the stored vector, for steering"),
    report: z
      .array(extractionLayerReportSchema)
      .nullable()
      .describe("Once succeeded: each layer of the vector, measured on all the pairs"),
    layer_choice: layerChoiceSchema
      .nullable()
      .describe("Once succeeded: which layers the vector steers, and why"),
    error: z
      .object({ message: z.string(), code: z.string() })
      .nullable()
      .describe("Once failed: why"),
  })
  .meta({ id: "Extraction" });

export type ExtractionJob = z.infer<typeof extractionJobSchema>;

export const extractionPlanSchema = z
  .object({
    object: z.literal("extraction_plan"),
    method: z.enum(EXTRACTION_METHODS),
    pairs: z.number().int().describe("Contrast pairs it would capture"),
    tokens: z.number().int().describe("Tokens of their texts, all told"),
    layers: z
      .array(z.number().int())
      .describe(
        "The layers it would capture, ascending: by measurement, the candidates it chooses among",
      ),
    layers_by: z
      .enum(LAYER_CHOICE_BY)
      .describe(
        "How the vector's layers are chosen: measurement (a band of `layers`), or `layers` " +
          "themselves, the fixed band or the request's",
      ),
  })
  .meta({ id: "ExtractionPlan" });

export type ExtractionPlan = z.infer<typeof extractionPlanSchema>;

const unauthorized = { 401: "The node's bearer token is missing or wrong" } as const;
const jobId = z.object({ id: z.string() });

/** What submitting or validating an extraction request may answer instead. */
const REQUEST_ERRORS = {
  ...unauthorized,
  400: "The dataset is invalid, too large, or does not fit the context (param names the field)",
  413: `The body is over ${MAX_JSON_BODY_BYTES} bytes`,
  503: "The node is shutting down",
} as const;

export const submitExtractionRoute = createRoute({
  method: "post",
  path: "/v1/extractions",
  summary: "Queue an extraction; the dataset is checked and tokenized first",
  request: { body: jsonBody(extractionRequestSchema) },
  responses: {
    202: jsonAnswer(extractionJobSchema, "The queued job"),
    ...errorAnswers(REQUEST_ERRORS),
  },
});

export const validateExtractionRoute = createRoute({
  method: "post",
  path: "/v1/extractions/validate",
  summary:
    "Check an extraction exactly as submitting it would (dataset, tokens, limits, layers), " +
    "without queueing it",
  request: { body: jsonBody(extractionRequestSchema) },
  responses: {
    200: jsonAnswer(extractionPlanSchema, "What the job would capture"),
    ...errorAnswers(REQUEST_ERRORS),
  },
});

export const getExtractionRoute = createRoute({
  method: "get",
  path: "/v1/extractions/{id}",
  summary: "A job: queued, running with progress, succeeded with its vector, failed, cancelled",
  request: { params: jobId },
  responses: {
    200: jsonAnswer(extractionJobSchema, "The job"),
    ...errorAnswers({ ...unauthorized, 404: "No such job (a node forgets them when it restarts)" }),
  },
});

export const cancelExtractionRoute = createRoute({
  method: "delete",
  path: "/v1/extractions/{id}",
  summary: "Cancel a queued or running job (a finished one stays as it is)",
  request: { params: jobId },
  responses: {
    200: jsonAnswer(extractionJobSchema, "The job"),
    ...errorAnswers({ ...unauthorized, 404: "No such job" }),
  },
});
