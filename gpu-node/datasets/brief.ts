// What a generator is asked for a described trait: a prompt, and the form its answer must take. The
// form is one zod schema, whose JSON Schema an endpoint is asked to follow (response_format) and
// which reads every answer afterwards, and its grammar (GBNF), which holds the base model to the
// same JSON while it samples, written here beside the schema from the same rules. It bounds
// everything: exactly the pairs asked, each persona a short run of printable ASCII with no quote
// or backslash (the template the personas go into is English, and a string without escapes is as
// many characters as it reads), at most one space wherever JSON allows whitespace, so that even a
// model writing at random ends its answer within a known length.
import { z } from "zod";
import { MAX_GENERATED_PERSONA_CHARS } from "../../shared/limits.ts";
import { DEFAULT_PERSONA_TEMPLATE } from "../../shared/node-api/extractions.ts";

/**
 * A generated persona's characters: printable ASCII but " and \, as a class that regular
 * expressions and GBNF read alike.
 */
const PERSONA_CHARACTERS = "[ !#-\\[\\]-~]";

/** A generated persona: 1 to MAX_GENERATED_PERSONA_CHARS of those characters. */
const PERSONA = `${PERSONA_CHARACTERS}{1,${MAX_GENERATED_PERSONA_CHARS}}`;

const personaSchema = z.string().regex(new RegExp(`^${PERSONA}$`));

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

/**
 * The answer's grammar: the JSON of answerSchema(count), compact. JSON would allow any whitespace
 * between its tokens; this allows one space at most where it does.
 */
export function answerGrammar(count: number): string {
  const more = count > 1 ? ` ("," space pair){${count - 1}}` : "";
  return [
    `root ::= "{" space "\\"pairs\\"" space ":" space "[" space pair${more} space "]" space "}"`,
    'pair ::= "{" space "\\"positive\\"" space ":" space persona "," space ' +
      '"\\"negative\\"" space ":" space persona space "}"',
    `persona ::= "\\"" ${PERSONA} "\\""`,
    'space ::= | " "',
  ].join("\n");
}

/**
 * The most tokens an answer of `count` pairs can take under its grammar: its longest text (each
 * persona at its longest, and a space at each of the 5 + 8 * count places one may go: 6 in root, 7
 * in each pair, and one before each pair but the first) in characters, as every token of it
 * spells at least one (the grammar allows ASCII alone), and the token that ends it.
 */
export function longestAnswerTokens(count: number): number {
  const persona = "x".repeat(MAX_GENERATED_PERSONA_CHARS);
  const pairs = Array.from({ length: count }, () => ({ positive: persona, negative: persona }));
  return JSON.stringify({ pairs }).length + 5 + 8 * count + 1;
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
