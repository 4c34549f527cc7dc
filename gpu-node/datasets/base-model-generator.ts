// The default generator: the node's own base model, unsteered, its answers constrained while they
// are sampled by a grammar made from brief.ts's schema (llama.cpp's converter), so that even a
// model writing at random answers JSON of the schema. A round's pairs are split over as few answers
// as the context allows, each answer holding as many pairs as its longest possible text leaves
// room for; the answers are sampled together (they share decodes, as any requests do), each at the
// generation temperature with its own seed, so that they differ from one another.
import { ApiError } from "../../shared/http/api-error.ts";
import { MAX_GENERATED_PAIRS, MAX_GENERATED_PERSONA_CHARS } from "../../shared/limits.ts";
import type { Engine } from "../engine/engine.ts";
import { jsonSchemaGrammar } from "../engine/grammar.ts";
import { answerJsonSchema, generatorPrompt } from "./brief.ts";
import {
  GENERATION_TEMPERATURE,
  type PairGenerator,
  type PairsAsked,
  type Written,
} from "./generator.ts";

/**
 * The grammar's whitespace: one space at most wherever JSON allows some. llama.cpp's converter
 * allows up to 22 characters there (a line break and an indent), which would bound an answer at
 * more than twice its length: this keeps the bound tight, and the answer compact.
 */
const COMPACT_SPACE = 'space ::= | " "';

/** Where the grammar lets a space go in an answer: 5, and 8 more for each pair. */
function spaces(count: number): number {
  return 5 + 8 * count;
}

/**
 * The most tokens an answer of `count` pairs can take: its longest text (each persona at its
 * longest, a space wherever one may go) in characters, as every token of it spells at least one
 * (the schema allows ASCII alone), and the token that ends it.
 */
export function longestAnswerTokens(count: number): number {
  const persona = "x".repeat(MAX_GENERATED_PERSONA_CHARS);
  const pairs = Array.from({ length: count }, () => ({ positive: persona, negative: persona }));
  return JSON.stringify({ pairs }).length + spaces(count) + 1;
}

/** The grammar of an answer of `count` pairs, with compact whitespace. */
function answerGrammar(count: number): string {
  const grammar = jsonSchemaGrammar(answerJsonSchema(count));
  const compact = grammar.replace(/^space ::= .*$/m, COMPACT_SPACE);
  // A converter that names its whitespace otherwise would leave the bound unknown: say so.
  if (compact === grammar) throw new Error("the answer's grammar has no space rule to tighten");
  return compact;
}

export class BaseModelGenerator implements PairGenerator {
  readonly kind = "base_model";
  readonly model: string;

  constructor(private readonly engine: Engine) {
    this.model = engine.model.metadata.name ?? "base model";
  }

  check(description: string): void {
    this.pairsPerAnswer(description, 1);
  }

  async write({ description, count, round }: PairsAsked, signal?: AbortSignal): Promise<Written> {
    const perAnswer = this.pairsPerAnswer(description, count);
    const counts = split(count, perAnswer);
    const completions = await Promise.all(
      counts.map((pairs, i) =>
        this.engine.complete({
          messages: [{ role: "user", content: generatorPrompt(description, pairs) }],
          maxNewTokens: longestAnswerTokens(pairs),
          // A round has at most as many answers as pairs: no two answers of a job share a seed.
          sampling: { temperature: GENERATION_TEMPERATURE, seed: round * MAX_GENERATED_PAIRS + i },
          grammar: answerGrammar(pairs),
          signal,
        }),
      ),
    );
    return {
      answers: completions.map((completion, i) => ({
        text: completion.text,
        count: counts[i] as number,
      })),
      usage: {
        promptTokens: completions.reduce((sum, c) => sum + c.usage.promptTokens, 0),
        completionTokens: completions.reduce((sum, c) => sum + c.usage.completionTokens, 0),
      },
    };
  }

  /**
   * The most of `count` pairs one answer can hold: its prompt and its longest answer must fit the
   * context. A description whose prompt leaves no room for one pair is refused, naming it.
   */
  private pairsPerAnswer(description: string, count: number): number {
    const prompt = this.engine.model.tokenizeChat([
      { role: "user", content: generatorPrompt(description, count) },
    ]).length;
    const room = this.engine.contextSize - prompt;
    let pairs = count;
    while (pairs > 0 && longestAnswerTokens(pairs) > room) pairs--;
    if (pairs > 0) return pairs;
    throw new ApiError(
      400,
      `description: the generator's prompt with it takes ${prompt} tokens, which leaves ` +
        `${Math.max(room, 0)} of the context's ${this.engine.contextSize}; an answer of one ` +
        `pair may take ${longestAnswerTokens(1)}`,
      "context_length_exceeded",
      "description",
    );
  }
}

/** `count` split into as few parts of at most `most` as can be, as even as can be. */
function split(count: number, most: number): number[] {
  const parts = Math.ceil(count / most);
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0),
  );
}
