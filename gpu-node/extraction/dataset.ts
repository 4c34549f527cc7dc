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
//
// What a dataset must be without the model (texts never blank, personas paired, the template's
// placeholder, counts and lengths) is the contract's schemas' to check (shared/node-api/
// extractions.ts): the HTTP route validates with them, and so does `steer extract`. Here is what
// needs the model: tokenizing, the context, and the pairs the openers' prefixes make.
import type { z } from "zod";
import { MAX_EXTRACTION_PAIRS } from "../../shared/limits.ts";
import {
  DEFAULT_PERSONA_TEMPLATE,
  PERSONA_PLACEHOLDER,
  type pairsSchema,
  type personasSchema,
} from "../../shared/node-api/extractions.ts";
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { DEFAULT_OPENERS } from "./openers.ts";

/** Two token sequences that differ in the trait alone. */
export interface ContrastPair {
  positive: number[];
  negative: number[];
}

/** Persona words or phrases, positive[i] paired with negative[i], a template and openers. */
export type PersonaSpec = z.output<typeof personasSchema>;

export type TextPair = z.output<typeof pairsSchema>[number];

/** Every (persona pair, opener token-prefix) combination, opener-major as repeng orders them. */
export function personaDataset(engine: Engine, spec: PersonaSpec): ContrastPair[] {
  const { positive, negative } = spec;
  const template = spec.template ?? DEFAULT_PERSONA_TEMPLATE;
  const openers = spec.openers ?? DEFAULT_OPENERS;
  if (!engine.model.metadata.chatTemplate) {
    throw new EngineError(
      "invalid_request",
      "this model has no chat template to put personas in; give explicit pairs instead",
      "personas",
    );
  }

  const prefixes = openerPrefixes(engine, openers);
  const total = prefixes.length * positive.length;
  if (total > MAX_EXTRACTION_PAIRS) {
    throw new EngineError(
      "invalid_request",
      `${prefixes.length} opener prefixes x ${positive.length} persona pairs make ${total} pairs; the limit is ${MAX_EXTRACTION_PAIRS}`,
      "personas.openers",
    );
  }
  const longestPrefix = Math.max(...prefixes.map((prefix) => prefix.length));
  const prompt = (persona: string, param: string) => {
    const messages = [
      { role: "user" as const, content: template.replaceAll(PERSONA_PLACEHOLDER, persona) },
    ];
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
  const tokenize = (text: string, param: string) => {
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
