// The default generator: the node's own base model, unsteered, its answers held while they are
// sampled to brief.ts's grammar (the JSON of the answer's schema), so that even a model writing at
// random answers JSON of the schema, of a known longest length. A round's pairs are split over as
// few answers as the context allows, each holding as many pairs as its longest possible text
// leaves room for; the answers are sampled together (they share decodes, as any requests do), each
// at the generation temperature with its own seed, so that they differ from one another.
import { ApiError } from "../../shared/http/api-error.ts";
import { MAX_GENERATED_PAIRS } from "../../shared/limits.ts";
import type { Engine } from "../engine/engine.ts";
import { answerGrammar, generatorPrompt, longestAnswerTokens } from "./brief.ts";
import {
  GENERATION_TEMPERATURE,
  type PairGenerator,
  type PairsAsked,
  type Written,
} from "./generator.ts";

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
