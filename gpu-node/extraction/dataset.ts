// Contrastive datasets: pairs of token sequences that differ in the trait alone. Extraction reads
// the model's hidden state at the last token of each and looks for the direction that separates
// the positive texts from the negative ones.
//
// Two ways to give one:
// - personas (the default way): positive and negative persona words, paired by position, put into
//   a user instruction ("Respond as an extremely happy person would.") through the model's chat
//   template, followed by the beginning of the assistant's reply: every token-prefix of every
//   opener. The model's state at the end of "...happy person would.<assistant> I think" vs
//   "...sad person would.<assistant> I think" differs by what the persona does to it.
// - pairs: explicit (positive, negative) raw texts, BOS added as the model asks.
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { DEFAULT_OPENERS } from "./openers.ts";

/** Two token sequences that differ in the trait alone. */
export interface ContrastPair {
  positive: number[];
  negative: number[];
}

/** Most pairs in one dataset: hidden states take pairs x layers x width x 4 bytes. */
export const MAX_PAIRS = 20_000;

/** The user instruction of a persona dataset; `{persona}` is replaced by each persona. */
export const DEFAULT_TEMPLATE = "Respond as an extremely {persona} person would.";
const PERSONA = "{persona}";

export interface PersonaSpec {
  /** Persona words or phrases, positive[i] paired with negative[i]. */
  positive: readonly string[];
  negative: readonly string[];
  /** A user message holding `{persona}`. Default DEFAULT_TEMPLATE. */
  template?: string;
  /** Starts of the assistant's reply. Default DEFAULT_OPENERS. */
  openers?: readonly string[];
}

export interface TextPair {
  positive: string;
  negative: string;
}

/** Every (persona pair, opener token-prefix) combination, opener-major as repeng orders them. */
export function personaDataset(engine: Engine, spec: PersonaSpec): ContrastPair[] {
  const { positive, negative } = spec;
  const template = spec.template ?? DEFAULT_TEMPLATE;
  const openers = spec.openers ?? DEFAULT_OPENERS;
  checkTexts(positive, "personas.positive");
  checkTexts(negative, "personas.negative");
  if (positive.length !== negative.length) {
    throw new EngineError(
      "invalid_request",
      `personas come in pairs: ${positive.length} positive but ${negative.length} negative`,
      "personas.negative",
    );
  }
  if (!template.includes(PERSONA)) {
    throw new EngineError(
      "invalid_request",
      `the template must hold ${PERSONA}`,
      "personas.template",
    );
  }
  checkTexts(openers, "personas.openers");
  if (!engine.model.metadata.chatTemplate) {
    throw new EngineError(
      "invalid_request",
      "this model has no chat template to put personas in; give explicit pairs instead",
      "personas",
    );
  }

  const prefixes = openerPrefixes(engine, openers);
  const total = prefixes.length * positive.length;
  if (total > MAX_PAIRS) {
    throw new EngineError(
      "invalid_request",
      `${prefixes.length} opener prefixes x ${positive.length} persona pairs make ${total} pairs; the limit is ${MAX_PAIRS}`,
      "personas.openers",
    );
  }
  const longestPrefix = Math.max(...prefixes.map((prefix) => prefix.length));
  const prompt = (persona: string, param: string) => {
    const messages = [{ role: "user" as const, content: template.replaceAll(PERSONA, persona) }];
    const tokens = engine.model.tokenizeChat(messages);
    if (tokens.length + longestPrefix > engine.contextSize) {
      throw new EngineError(
        "context_overflow",
        `the prompt for ${param} is ${tokens.length} tokens and the longest opener ${longestPrefix}; the context holds ${engine.contextSize}`,
        tokens.length < engine.contextSize ? "personas.openers" : param,
      );
    }
    return tokens;
  };
  const positivePrompts = positive.map((persona, i) => prompt(persona, `personas.positive[${i}]`));
  const negativePrompts = negative.map((persona, i) => prompt(persona, `personas.negative[${i}]`));
  return prefixes.flatMap((prefix) =>
    positivePrompts.map((positivePrompt, i) => ({
      positive: [...positivePrompt, ...prefix],
      negative: [...(negativePrompts[i] as number[]), ...prefix],
    })),
  );
}

/** Explicit pairs of raw texts. */
export function pairDataset(engine: Engine, pairs: readonly TextPair[]): ContrastPair[] {
  if (pairs.length === 0)
    throw new EngineError("invalid_request", "give at least one pair", "pairs");
  if (pairs.length > MAX_PAIRS) {
    throw new EngineError(
      "invalid_request",
      `${pairs.length} pairs; the limit is ${MAX_PAIRS}`,
      "pairs",
    );
  }
  const tokenize = (text: string, param: string) => {
    if (text.trim() === "") throw new EngineError("invalid_request", `${param} is empty`, param);
    const tokens = engine.model.tokenize(text);
    if (tokens.length > engine.contextSize) {
      throw new EngineError(
        "context_overflow",
        `${param} is ${tokens.length} tokens; the context holds ${engine.contextSize}`,
        param,
      );
    }
    return tokens;
  };
  return pairs.map((pair, i) => ({
    positive: tokenize(pair.positive, `pairs[${i}].positive`),
    negative: tokenize(pair.negative, `pairs[${i}].negative`),
  }));
}

/** Each distinct token-prefix of the openers (shared starts like "I" count once). */
function openerPrefixes(engine: Engine, openers: readonly string[]): number[][] {
  const prefixes = new Map<string, number[]>();
  for (const opener of openers) {
    const tokens = engine.model.tokenize(opener, { addBos: false });
    for (let length = 1; length <= tokens.length; length++) {
      const prefix = tokens.slice(0, length);
      prefixes.set(prefix.join(","), prefix);
    }
  }
  return [...prefixes.values()];
}

function checkTexts(texts: readonly string[], param: string): void {
  if (texts.length === 0) throw new EngineError("invalid_request", `${param} is empty`, param);
  texts.forEach((text, i) => {
    if (text.trim() === "")
      throw new EngineError("invalid_request", `${param}[${i}] is blank`, `${param}[${i}]`);
  });
}
