// The judge: a model that reads an answer and scores it 0-10, either for a trait (the original
// steering-api's prompt, with the trait as its descriptor word) or for coherence. Its score is not a
// parsed string but the expectation of the score over the judge's probabilities of "0" to "10" at its
// first answer token, renormalised over those tokens: continuous, and never unparsable.

export interface JudgedAnswer {
  /** The instruction the answer replies to. */
  prompt: string;
  answer: string;
}

export type JudgeAspect = { kind: "trait"; descriptor: string } | { kind: "coherence" };

export interface JudgeUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface JudgeOptions {
  signal?: AbortSignal;
  /** Called as answers are scored, with how many are done. */
  onProgress?: (done: number) => void;
}

export interface Judge {
  readonly kind: "base_model" | "endpoint";
  /** The judging model's name, as reported with the result. */
  readonly model: string;
  score(
    aspect: JudgeAspect,
    answers: readonly JudgedAnswer[],
    options?: JudgeOptions,
  ): Promise<{ scores: number[]; usage: JudgeUsage }>;
}

/** The scores a judge may give; each is one token in the judges we read the logits of. */
export const SCORES = Array.from({ length: 11 }, (_, score) => score);

/** What the judge is asked: the original product's grading prompt, and its coherence twin. */
export function judgePrompt(aspect: JudgeAspect, { prompt, answer }: JudgedAnswer): string {
  const question =
    aspect.kind === "trait"
      ? "Please score the answer on a scale of 0 to 10, where the score reflects the extent to " +
        "which the answer demonstrates the descriptor word. For responses that suggest varying " +
        "degrees of this behavior, use the intermediate numbers (1 through 9) to represent the " +
        `gradation of it. Respond only with a number, nothing else.\n\nDescriptor word: ${aspect.descriptor}`
      : "Please score the answer on a scale of 0 to 10, where the score reflects how coherent " +
        "the answer is: fluent, on topic, and free of repetition. 10 is a clear, natural reply " +
        "to the prompt; 0 is gibberish. Respond only with a number, nothing else.";
  return `${question}\n\nPrompt: ${prompt}\nAnswer: ${answer}\n\nYour score:`;
}

/**
 * The expected score under the judge's distribution over the score tokens: `logOf(score)` is the
 * judge's log-probability (or logit: only differences matter) of answering `score`, or undefined
 * where it gives none; the rest are renormalised. Null when it gives no score any weight.
 */
export function expectedScore(logOf: (score: number) => number | undefined): number | null {
  const known = SCORES.flatMap((score) => {
    const log = logOf(score);
    return log === undefined || !Number.isFinite(log) ? [] : [{ score, log }];
  });
  if (known.length === 0) return null;
  const top = Math.max(...known.map((k) => k.log));
  const weights = known.map((k) => Math.exp(k.log - top));
  const total = weights.reduce((sum, w) => sum + w, 0);
  return known.reduce((sum, k, i) => sum + (k.score * (weights[i] as number)) / total, 0);
}
