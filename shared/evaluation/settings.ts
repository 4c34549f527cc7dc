// What an evaluation of a trait's vector compares, as a caller sets it: the multipliers, the prompts
// answered at each, how long the answers are, how many MMLU questions, and the margins that decide
// the recommended range. The edge's public request and the GPU node's job take these same fields.
import { z } from "zod";
import {
  MAX_EVALUATION_MULTIPLIERS,
  MAX_EVALUATION_PROMPTS,
  MAX_EVALUATION_TOKENS,
  MAX_EXAMPLE_CHARS,
  MAX_MMLU_QUESTIONS,
  MAX_MMLU_SHOTS,
  MAX_MULTIPLIER,
} from "../limits.ts";

export const DEFAULT_EVALUATION_MULTIPLIERS = [-2, -1, 0, 1, 2] as const;

export const DEFAULT_EVALUATION_TOKENS = 64;

export const DEFAULT_MMLU_QUESTIONS = 100;

/** How far below the unsteered answers' coherence (0-10) a recommended multiplier may fall. */
export const DEFAULT_MAX_COHERENCE_DROP = 2;

/** How many points of MMLU accuracy (0-100) a recommended multiplier may lose. */
export const DEFAULT_MAX_MMLU_DROP = 5;

const text = z
  .string()
  .min(1)
  .max(MAX_EXAMPLE_CHARS)
  .refine((value) => value.trim() !== "", "must not be blank");

export const evaluationMultipliersSchema = z
  .array(z.number().min(-MAX_MULTIPLIER).max(MAX_MULTIPLIER))
  .min(1)
  .max(MAX_EVALUATION_MULTIPLIERS - 1)
  .refine((list) => new Set(list).size === list.length, "must not repeat a multiplier")
  .describe(
    `Multipliers to compare (default ${JSON.stringify(DEFAULT_EVALUATION_MULTIPLIERS)}); 0, the ` +
      "unsteered baseline every limit is measured against, is added when missing",
  );

export const mmluSettingsSchema = z
  .strictObject({
    questions: z
      .number()
      .int()
      .min(0)
      .max(MAX_MMLU_QUESTIONS)
      .optional()
      .describe(
        `Questions, a seeded subset spread over the subjects (default ${DEFAULT_MMLU_QUESTIONS}; 0: none)`,
      ),
    shots: z
      .number()
      .int()
      .min(0)
      .max(MAX_MMLU_SHOTS)
      .optional()
      .describe("Worked examples before each question, from its subject's dev split (default 0)"),
  })
  .describe("MMLU under steering: accuracy per multiplier");

/** The settings every evaluation request holds, the edge's and the node's. */
export const evaluationSettingsFields = {
  description: text
    .optional()
    .describe("What the judge scores the answers for (default: the trait's name)"),
  multipliers: evaluationMultipliersSchema.optional(),
  prompts: z
    .array(text)
    .min(1)
    .max(MAX_EVALUATION_PROMPTS)
    .optional()
    .describe("Instructions answered at every multiplier (default: a built-in held-out set)"),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .max(MAX_EVALUATION_TOKENS)
    .optional()
    .describe(`Tokens per answer (default ${DEFAULT_EVALUATION_TOKENS})`),
};

/** The margins that bound the recommended range, each against the unsteered answers (0). */
export const evaluationMarginsFields = {
  max_coherence_drop: z
    .number()
    .min(0)
    .max(10)
    .optional()
    .describe(
      `Coherence points (0-10) a recommended multiplier may lose (default ${DEFAULT_MAX_COHERENCE_DROP})`,
    ),
  max_mmlu_drop: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe(
      `MMLU accuracy points (0-100) a recommended multiplier may lose (default ${DEFAULT_MAX_MMLU_DROP})`,
    ),
};

export interface EvaluationMargins {
  max_coherence_drop: number;
  max_mmlu_drop: number;
}

export function marginsOf(settings: Partial<EvaluationMargins>): EvaluationMargins {
  return {
    max_coherence_drop: settings.max_coherence_drop ?? DEFAULT_MAX_COHERENCE_DROP,
    max_mmlu_drop: settings.max_mmlu_drop ?? DEFAULT_MAX_MMLU_DROP,
  };
}

/** The multipliers an evaluation runs: the asked ones and 0, ascending. */
export function evaluatedMultipliers(asked: readonly number[] | undefined): number[] {
  // A Set holds -0 and 0 as one value, kept as whichever came first: written as 0.
  const set = new Set<number>([...(asked ?? DEFAULT_EVALUATION_MULTIPLIERS), 0]);
  return [...set].map((m) => m + 0).sort((a, b) => a - b);
}
