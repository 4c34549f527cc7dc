// The product's original endpoints, with their original shapes: steerable models made from
// contrastive examples per trait (control dimension), and completions steered by a multiplier per
// trait. Served by the edge at /steerable-model and /completions, and under /v1/steerable-models.
import { z } from "zod";
import { completionUsageSchema, MAX_MULTIPLIER, seedSchema } from "./chat.ts";

/** A trait's name: it keys control_settings and steering, and names its vector file. */
export const TRAIT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const TRAIT_NAME_RULE = "a trait name is a letter, then up to 63 letters, digits, _ or -";
export const MAX_TRAITS = 16;
export const MAX_EXAMPLES = 256;
export const MAX_EXAMPLE_CHARS = 2000;

const examples = z.array(z.string().min(1).max(MAX_EXAMPLE_CHARS)).min(1).max(MAX_EXAMPLES);

export const controlDimensionSchema = z.object({
  positive_examples: examples,
  negative_examples: examples,
});

export const controlDimensionsSchema = z
  .record(z.string().regex(TRAIT_NAME, TRAIT_NAME_RULE), controlDimensionSchema)
  .refine((dims) => Object.keys(dims).length >= 1, "give at least one control dimension")
  .refine((dims) => Object.keys(dims).length <= MAX_TRAITS, `at most ${MAX_TRAITS} dimensions`);

export const createSteerableModelSchema = z.object({
  /** The base model to steer (GET /v1/models lists them). */
  model_label: z.string().min(1).max(200),
  control_dimensions: controlDimensionsSchema,
  /** The prompts the contrast pairs are built on (default: a built-in list). */
  prompt_list: z.array(z.string().min(1).max(MAX_EXAMPLE_CHARS)).min(1).max(512).nullish(),
});

export type CreateSteerableModel = z.infer<typeof createSteerableModelSchema>;
export type ControlDimension = z.infer<typeof controlDimensionSchema>;

export const steerableModelStatusSchema = z.enum(["pending", "training", "ready", "failed"]);

export type SteerableModelStatus = z.infer<typeof steerableModelStatusSchema>;

export const steerableModelSchema = z.object({
  id: z.string(),
  object: z.literal("steerable_model"),
  /** Unix seconds. */
  created_at: z.number().int(),
  /** The base model. */
  model: z.string(),
  /** The label the model was created with (the base model's name as asked for). */
  model_label: z.string(),
  /** No limits here, unlike a request's: a trait imported as a vector file has no examples. */
  control_dimensions: z.record(
    z.string(),
    z.object({ positive_examples: z.array(z.string()), negative_examples: z.array(z.string()) }),
  ),
  status: steerableModelStatusSchema,
  /** Why it failed, when it did. */
  failure_reason: z.string().nullish(),
  /** The preset it was installed from, if any. */
  preset: z.string().nullish(),
});

export type SteerableModel = z.infer<typeof steerableModelSchema>;

/** A page of models as GET /steerable-model answers it, the original shape. */
export const steerableModelPageSchema = z.object({ data: z.array(steerableModelSchema) });

/** A page of models as GET /v1/steerable-models answers it, OpenAI's list. */
export const steerableModelListSchema = z.object({
  object: z.literal("list"),
  data: z.array(steerableModelSchema),
});

export type SteerableModelList = z.infer<typeof steerableModelListSchema>;

export const steerableModelDeletedSchema = z.object({
  id: z.string(),
  object: z.literal("steerable_model"),
  deleted: z.literal(true),
});

export type SteerableModelDeleted = z.infer<typeof steerableModelDeletedSchema>;

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).default(0),
});

const multiplier = z.number().min(-MAX_MULTIPLIER).max(MAX_MULTIPLIER);

export const completionSettingsSchema = z.object({
  do_sample: z.boolean().default(false),
  max_new_tokens: z.number().int().min(1).max(4096).default(256),
  repetition_penalty: z.number().gt(0).max(10).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: seedSchema.nullish(),
});

export const steeredCompletionRequestSchema = z.object({
  /** A steerable model's id. */
  model: z.string().min(1),
  prompt: z.string().min(1),
  control_settings: z.record(z.string(), multiplier).default({}),
  settings: completionSettingsSchema.default({ do_sample: false, max_new_tokens: 256 }),
});

export type SteeredCompletionRequest = z.infer<typeof steeredCompletionRequestSchema>;

export const steeredCompletionSchema = z.object({
  /** The steerable model's id. */
  model_id: z.string(),
  object: z.literal("text_completion"),
  /** Unix seconds. */
  created: z.number().int(),
  /** The base model. */
  model: z.string(),
  content: z.string(),
  usage: completionUsageSchema,
});

export type SteeredCompletion = z.infer<typeof steeredCompletionSchema>;

/** POST /v1/steerable-models/import?trait=NAME&label=BASE_MODEL, a control-vector GGUF as body. */
export const importVectorQuerySchema = z.object({
  trait: z.string().regex(TRAIT_NAME, TRAIT_NAME_RULE),
  /** The base model the vector was made for (GET /v1/models lists them). */
  label: z.string().min(1).max(200),
});
