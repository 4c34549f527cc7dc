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
// needs the model: tokenizing, the context, and the size of what would be captured (pairs and
// tokens, shared/limits.ts). The size is counted as the dataset is tokenized, and a dataset past a
// limit is refused as soon as that is certain, before the rest is tokenized or anything is built;
// the work is paced so that other requests are served meanwhile (pace.ts).
import type { z } from "zod";
import { MAX_EXTRACTION_PAIRS, MAX_EXTRACTION_TOKENS } from "../../shared/limits.ts";
import {
  DEFAULT_PERSONA_TEMPLATE,
  PERSONA_PLACEHOLDER,
  type pairsSchema,
  type personasSchema,
} from "../../shared/node-api/extractions.ts";
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { DEFAULT_OPENERS } from "./openers.ts";
import { pacer } from "./pace.ts";

/** Two token sequences that differ in the trait alone. */
export interface ContrastPair {
  positive: number[];
  negative: number[];
}

/** Persona words or phrases, positive[i] paired with negative[i], a template and openers. */
export type PersonaSpec = z.output<typeof personasSchema>;

export type TextPair = z.output<typeof pairsSchema>[number];

/** Every (persona pair, opener token-prefix) combination, opener-major as repeng orders them. */
export async function personaDataset(engine: Engine, spec: PersonaSpec): Promise<ContrastPair[]> {
  const template = spec.template ?? DEFAULT_PERSONA_TEMPLATE;
  if (!engine.model.metadata.chatTemplate) {
    throw new EngineError(
      "invalid_request",
      "this model has no chat template to put personas in; give explicit pairs instead",
      "personas",
    );
  }
  const pace = pacer();
  const size = new PersonaDatasetSize(spec.positive.length, spec.openers ? "the" : "the default");
  const prefixes = await openerPrefixes(engine, spec.openers ?? DEFAULT_OPENERS, size, pace);
  const longestPrefix = prefixes.reduce((longest, prefix) => Math.max(longest, prefix.length), 0);

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
    size.addPrompt(tokens.length);
    return tokens;
  };
  const prompts = async (side: "positive" | "negative") => {
    const tokenized: number[][] = [];
    for (const [i, persona] of spec[side].entries()) {
      tokenized.push(prompt(persona, `personas.${side}[${i}]`));
      await pace();
    }
    return tokenized;
  };
  const positivePrompts = await prompts("positive");
  const negativePrompts = await prompts("negative");
  // At the limits, millions of tokens to copy: paced too.
  const pairs: ContrastPair[] = [];
  for (const prefix of prefixes) {
    for (const [i, positivePrompt] of positivePrompts.entries()) {
      const negativePrompt = negativePrompts[i] as number[];
      pairs.push({
        positive: positivePrompt.concat(prefix),
        negative: negativePrompt.concat(prefix),
      });
      await pace();
    }
  }
  return pairs;
}

/** Explicit pairs of raw texts. */
export async function pairDataset(
  engine: Engine,
  pairs: readonly TextPair[],
): Promise<ContrastPair[]> {
  const pace = pacer();
  let total = 0;
  const tokenize = (text: string, param: string) => {
    const tokens = engine.model.tokenize(text);
    if (tokens.length > engine.contextSize) {
      throw new EngineError(
        "context_overflow",
        `${param} is ${tokens.length} tokens; the context holds ${engine.contextSize}`,
        param,
      );
    }
    total += tokens.length;
    if (total > MAX_EXTRACTION_TOKENS) {
      throw new EngineError(
        "invalid_request",
        `the pairs come to more than the limit of ${MAX_EXTRACTION_TOKENS} tokens by ${param}`,
        "pairs",
      );
    }
    return tokens;
  };
  const dataset: ContrastPair[] = [];
  for (const [i, pair] of pairs.entries()) {
    dataset.push({
      positive: tokenize(pair.positive, `pairs[${i}].positive`),
      negative: tokenize(pair.negative, `pairs[${i}].negative`),
    });
    await pace();
  }
  return dataset;
}

/** A trie of token sequences: a node per distinct prefix, its children by their next token. */
type PrefixTrie = Map<number, PrefixTrie>;

/**
 * Each distinct token-prefix of the openers, in the order they first appear (shared starts like
 * "I" count once). A prefix is distinct exactly when walking the opener's tokens down the trie
 * makes a new node, so the work is linear in the openers' tokens; each new prefix is counted
 * against the limits at once.
 */
async function openerPrefixes(
  engine: Engine,
  openers: readonly string[],
  size: PersonaDatasetSize,
  pace: () => Promise<void>,
): Promise<number[][]> {
  const trie: PrefixTrie = new Map();
  const prefixes: number[][] = [];
  for (const opener of openers) {
    const tokens = engine.model.tokenize(opener, { addBos: false });
    let node = trie;
    tokens.forEach((token, i) => {
      let child = node.get(token);
      if (!child) {
        child = new Map();
        node.set(token, child);
        prefixes.push(tokens.slice(0, i + 1));
        size.addPrefix(i + 1);
      }
      node = child;
    });
    await pace();
  }
  return prefixes;
}

/**
 * What a persona dataset comes to, counted as it is tokenized: P opener prefixes x N persona pairs
 * make P x N pairs, and each pair's two texts are its personas' prompts, each followed by the
 * prefix. The counts only grow, so a dataset is refused the moment it passes a limit.
 */
class PersonaDatasetSize {
  private prefixes = 0;
  /** Tokens of the prefixes, all told. */
  private prefixTokens = 0;
  /** Tokens of the persona prompts tokenized so far, positive and negative. */
  private promptTokens = 0;

  constructor(
    private readonly personaPairs: number,
    /** "the" or "the default": whose openers the messages speak of. */
    private readonly openers: string,
  ) {}

  addPrefix(tokens: number): void {
    this.prefixes++;
    this.prefixTokens += tokens;
    this.check();
  }

  addPrompt(tokens: number): void {
    this.promptTokens += tokens;
    this.check();
  }

  private check(): void {
    const { prefixes, personaPairs } = this;
    if (prefixes * personaPairs > MAX_EXTRACTION_PAIRS) {
      throw new EngineError(
        "invalid_request",
        `${this.openers} openers make at least ${prefixes} token prefixes: with ${personaPairs} persona pairs, more than the limit of ${MAX_EXTRACTION_PAIRS} pairs`,
        "personas.openers",
      );
    }
    // Every prompt goes with every prefix; every prefix into both texts of every persona pair.
    const inPrompts = prefixes * this.promptTokens;
    const inPrefixes = 2 * personaPairs * this.prefixTokens;
    const total = inPrompts + inPrefixes;
    if (total <= MAX_EXTRACTION_TOKENS) return;
    const [most, where, param] =
      inPrompts > inPrefixes
        ? [inPrompts, "the persona prompts", "personas"]
        : [inPrefixes, `${this.openers} openers' prefixes`, "personas.openers"];
    throw new EngineError(
      "invalid_request",
      `${prefixes} opener prefixes x ${personaPairs} persona pairs make texts of at least ${total} tokens to capture, ${most} of them in ${where}; the limit is ${MAX_EXTRACTION_TOKENS}`,
      param,
    );
  }
}
