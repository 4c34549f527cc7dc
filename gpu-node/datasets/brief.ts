// What a generator is asked for a described trait: a prompt, and the schema its answer must follow.
// The schema is one zod declaration: its JSON Schema constrains the answer while it is written (the
// base model's grammar, an endpoint's response_format), and the zod schema reads it afterwards, so
// what is asked and what is accepted cannot differ. It bounds everything: exactly the pairs asked,
// each persona a short run of printable ASCII with no quote or backslash (the template the personas
// go into is English, and a string without escapes is as many characters as it reads), so that
// even a model writing at random ends its answer within a known length.
import { z } from "zod";
import { MAX_GENERATED_PERSONA_CHARS } from "../../shared/limits.ts";
import { DEFAULT_PERSONA_TEMPLATE } from "../../shared/node-api/extractions.ts";

/** A generated persona: 1 to MAX_GENERATED_PERSONA_CHARS printable ASCII characters but " and \. */
const personaSchema = z
  .string()
  .regex(new RegExp(`^[ !#-\\[\\]-~]{1,${MAX_GENERATED_PERSONA_CHARS}}$`));

/** The answer that holds `count` persona pairs. */
export function answerSchema(count: number) {
  const pair = z.strictObject({ positive: personaSchema, negative: personaSchema });
  return z.strictObject({ pairs: z.array(pair).min(count).max(count) });
}

/** The answer's JSON Schema, as constrained generation takes it. */
export function answerJsonSchema(count: number): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(answerSchema(count));
  return schema;
}

/** The persona's place in the template, as the prompt shows it. */
const BLANK = "___";

/** What the generator is told: the trait, how many pairs, and what a persona is for. */
export function generatorPrompt(description: string, count: number): string {
  const sentence = DEFAULT_PERSONA_TEMPLATE.replace("{persona}", BLANK);
  return [
    "You write persona pairs for steering a language model toward a trait and away from it.",
    `The trait: ${description}`,
    `Write ${count} pairs. In each, "positive" is a persona with the trait and "negative" a ` +
      `persona with its opposite: each a short English phrase of at most ` +
      `${MAX_GENERATED_PERSONA_CHARS} characters that fits the sentence "${sentence}". Make every ` +
      "persona different from the others.",
    'Answer with JSON only: {"pairs": [{"positive": "...", "negative": "..."}, ...]}',
  ].join("\n\n");
}
