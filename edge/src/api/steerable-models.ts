// Steerable models, the product's original resource with its original shapes: made from
// contrastive examples per trait (control dimension), or from a description a generator writes
// them from, trained on the GPU nodes, then used to steer completions by a multiplier per trait.
// Served at /steerable-model and under /v1/steerable-models.
import { z } from "zod";
import { qualityCardSchema } from "../../../shared/evaluation/result.ts";
import { jsonRecord } from "../../../shared/http/json-record.ts";
import {
  DEFAULT_GENERATED_PAIRS,
  MAX_EXAMPLES,
  MAX_LABEL_CHARS,
  MAX_TRAITS,
} from "../../../shared/limits.ts";
import { descriptionSchema, generatedPairsSchema } from "../../../shared/node-api/datasets.ts";
import {
  openersSchema,
  personaTemplateSchema,
  personaTextSchema,
} from "../../../shared/node-api/extractions.ts";
import { layerChoiceSchema, layerSelectionSchema } from "../../../shared/node-api/layers.ts";
import { listOf } from "../../../shared/openai/list.ts";
import { MODEL_STATUSES } from "../db/schema.ts";
import { traitConditionSchema } from "./conditions.ts";

/** A trait's name: it keys control_settings and steering, and names its vector file. */
export const TRAIT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const TRAIT_NAME_RULE = "a trait name is a letter, then up to 63 letters, digits, _ or -";

export const traitNameSchema = z.string().regex(TRAIT_NAME, TRAIT_NAME_RULE);

const examples = z.array(personaTextSchema).min(1).max(MAX_EXAMPLES);

const positiveExamples = examples.describe(
  'Persona words or phrases with the trait ("cheerful", "happy go lucky"); the i-th is paired with the i-th negative one',
);
const negativeExamples = examples.describe("Their opposites, as many");

/**
 * A trait as an object: its examples, or a description to generate them from, or both (the
 * examples train as given, and the description stays with them). `pairs` and `generated` say how
 * examples were generated: a model's control_dimensions, sent back as they are (corrected, say),
 * make a model of the examples they hold.
 */
const traitObject = z.strictObject({
  positive_examples: positiveExamples.optional(),
  negative_examples: negativeExamples.optional(),
  description: descriptionSchema.optional(),
  pairs: generatedPairsSchema.optional(),
  generated: z
    .boolean()
    .optional()
    .describe("Read-only (a model's control_dimensions say it): ignored when sent"),
});

type TraitGiven = z.output<typeof traitObject>;

/** The original's tests give a trait as [[positives...], [negatives...]]: the same, as a list. */
const examplePairList = z.tuple([examples, examples]).transform(
  ([positive_examples, negative_examples]): TraitGiven => ({
    positive_examples,
    negative_examples,
  }),
);

/** What makes a trait one that trains: both sides of its examples, in pairs, or a description. */
function checkTrait(trait: TraitGiven, context: z.RefinementCtx): void {
  const positives = trait.positive_examples?.length;
  const negatives = trait.negative_examples?.length;
  const issue = (field: keyof TraitGiven, message: string) =>
    context.addIssue({ code: "custom", path: [field], message });
  if (positives === undefined && negatives === undefined) {
    if (trait.description === undefined) {
      issue(
        "description",
        "give positive_examples and negative_examples, or a description to generate them from",
      );
    }
  } else if (positives === undefined || negatives === undefined) {
    issue(
      positives === undefined ? "positive_examples" : "negative_examples",
      "give positive_examples and negative_examples together",
    );
  } else if (positives !== negatives) {
    issue(
      "negative_examples",
      `examples come in pairs: ${positives} positive but ${negatives} negative`,
    );
  }
  if (trait.pairs !== undefined && trait.description === undefined) {
    issue(
      "pairs",
      "is how many persona pairs to generate from a description: give the description",
    );
  }
}

export const controlDimensionSchema = z
  .union([traitObject, examplePairList])
  .superRefine(checkTrait)
  .transform((trait) => {
    const description = trait.description ?? null;
    if (trait.positive_examples && trait.negative_examples) {
      const { positive_examples, negative_examples } = trait;
      return { positive_examples, negative_examples, description, pairs: null };
    }
    const pairs = trait.pairs ?? DEFAULT_GENERATED_PAIRS;
    return { positive_examples: [], negative_examples: [], description, pairs };
  })
  .describe(
    "A trait: its contrastive examples, {positive_examples, negative_examples} or the list " +
      "[[positives...], [negatives...]], each pair one persona pair of the training recipe; or " +
      "{description, pairs?}, from which a generator writes `pairs` persona pairs (default " +
      `${DEFAULT_GENERATED_PAIRS}) before the trait trains; or examples and a description together`,
  );

/**
 * A trait as the edge keeps it: its examples (none yet when they are to be generated), its
 * description (null: none given), and the pairs to generate (null: its examples were given).
 */
export type ControlDimension = z.output<typeof controlDimensionSchema>;

export const controlDimensionsSchema = jsonRecord(traitNameSchema, controlDimensionSchema)
  .refine((dims) => Object.keys(dims).length >= 1, "give at least one control dimension")
  .refine((dims) => Object.keys(dims).length <= MAX_TRAITS, `at most ${MAX_TRAITS} dimensions`)
  .describe("Trait name -> its examples, or its description");

export const modelLabelSchema = z
  .string()
  .min(1)
  .max(MAX_LABEL_CHARS)
  .describe("Your own label for the model, free text (the original's model_label)");

export const createSteerableModelSchema = z
  .strictObject({
    model_label: modelLabelSchema,
    model: z
      .string()
      .min(1)
      .nullish()
      .describe("The base model to steer (default: the first GET /v1/models lists)"),
    control_dimensions: controlDimensionsSchema,
    prompt_list: openersSchema
      .nullish()
      .describe(
        'Starts of the assistant\'s reply ("That game", "I can see"); every token-prefix of each ' +
          "begins a reply whose hidden state is read (default: built-in openers)",
      ),
    template: personaTemplateSchema.nullish(),
    layers: layerSelectionSchema
      .nullish()
      .describe(
        "The layers every trait steers. Left out (or null): each trait's are chosen by " +
          "measurement, the contiguous band where the trait reads best on held-out pairs " +
          "(`layer_choices` says which and why). `band`: the fixed upper middle of the stack " +
          "(repeng's layers 15-27 of 32, scaled to the base model). A list: those layers, each 1 " +
          "to the base model's layer count - 1",
      ),
  })
  .meta({ id: "CreateSteerableModel" });

export type CreateSteerableModel = z.output<typeof createSteerableModelSchema>;

/** Trait name -> its quality card, for the traits that have one. */
export const traitQualitySchema = z
  .record(z.string(), qualityCardSchema)
  .describe(
    "Each evaluated trait's quality card, from its latest succeeded evaluation (POST " +
      "/v1/evaluations): its effect, coherence and MMLU accuracy per multiplier, and the range " +
      "worth using. A trait never evaluated has none",
  );

export type TraitQuality = z.infer<typeof traitQualitySchema>;

/** Trait name -> the layers its vector steers and why, for the traits extracted here. */
export const layerChoicesSchema = z
  .record(z.string(), layerChoiceSchema)
  .describe(
    "Each trained trait's layers and why: by measurement (the default: every candidate layer's " +
      "readability and the band kept), band, or request. A trait still training, or whose " +
      "vector came as a file or from a preset's cache, has none",
  );

/** Trait name -> its calibrated condition, for the traits calibrated. */
export const traitConditionsSchema = z
  .record(z.string(), traitConditionSchema)
  .describe(
    "Each calibrated trait's condition (POST /v1/steerable-models/{id}/traits/{trait}/condition): " +
      "the layer and threshold at which routing turns it on, and how well they sorted its " +
      "examples. A trait never calibrated has none",
  );

export const steerableModelStatusSchema = z
  .enum(MODEL_STATUSES)
  .describe(
    "pending -> generating (a described trait's examples are being written) -> training -> " +
      "ready, or failed (failure_reason says why); a model without described traits skips generating",
  );

export type SteerableModelStatus = z.infer<typeof steerableModelStatusSchema>;

const traitShownSchema = z.object({
  positive_examples: z
    .array(z.string())
    .describe("Empty while a described trait's examples are still to be generated"),
  negative_examples: z.array(z.string()),
  description: z.string().optional().describe("The trait in its creator's words, when given"),
  pairs: z
    .number()
    .int()
    .optional()
    .describe("The persona pairs asked of the generator, for a described trait"),
  generated: z
    .literal(true)
    .optional()
    .describe(
      "Its examples are written by a generator from its description: review them, and create " +
        "a model of corrected ones by sending them back",
    ),
});

export const steerableModelSchema = z
  .object({
    id: z.string(),
    object: z.literal("steerable_model"),
    created_at: z.number().int().describe("Unix seconds"),
    model: z.string().describe("The base model it steers"),
    model_label: z.string().describe("The label it was created with"),
    control_dimensions: z
      .record(z.string(), traitShownSchema)
      .describe(
        "Its traits: their examples (none for a trait imported as a vector file) and " +
          "descriptions; sent back in a create, they make a model of the same examples",
      ),
    prompt_list: z.array(z.string()).nullable().describe("null: the built-in openers"),
    template: z.string().nullable().describe("null: the default persona template"),
    layers: layerSelectionSchema
      .nullable()
      .describe("The layers asked for at creation; null: chosen by measurement, per trait"),
    layer_choices: layerChoicesSchema,
    status: steerableModelStatusSchema,
    failure_reason: z.string().nullish().describe("Why it failed, when it did"),
    preset: z.string().nullish().describe("The preset it was installed from, if any"),
    quality: traitQualitySchema,
    conditions: traitConditionsSchema,
  })
  .meta({ id: "SteerableModel" });

export type SteerableModel = z.infer<typeof steerableModelSchema>;

/** GET /steerable-model/{id}/status: what the original client's wait_for_model_ready polls. */
export const steerableModelStatusAnswerSchema = z
  .object({
    id: z.string(),
    status: steerableModelStatusSchema,
    failure_reason: z.string().nullish(),
  })
  .meta({ id: "SteerableModelStatus" });

/** A page of models as GET /steerable-model answers it, the original shape. */
export const steerableModelPageSchema = z
  .object({ data: z.array(steerableModelSchema) })
  .meta({ id: "SteerableModelPage" });

/** A page of models as GET /v1/steerable-models answers it, OpenAI's list. */
export const steerableModelListSchema = listOf(steerableModelSchema).meta({
  id: "SteerableModelList",
});

export const steerableModelDeletedSchema = z
  .object({ id: z.string(), object: z.literal("steerable_model"), deleted: z.literal(true) })
  .meta({ id: "SteerableModelDeleted" });

export type SteerableModelDeleted = z.infer<typeof steerableModelDeletedSchema>;

export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10).describe("1 to 100 (default 10)"),
  offset: z.coerce.number().int().min(0).default(0),
});

/** POST /v1/steerable-models/import?trait=NAME: a control-vector GGUF as body. */
export const importVectorQuerySchema = z.strictObject({
  trait: traitNameSchema.describe("The name its one trait gets"),
  model_label: modelLabelSchema.optional().describe("Your label for it (default: the trait name)"),
  model: z
    .string()
    .min(1)
    .optional()
    .describe("The base model the vector was made for (default: the first GET /v1/models lists)"),
});
