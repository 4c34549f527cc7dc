// The default judge: the node's own base model, unsteered. Each judge prompt goes through the
// model's chat template, and the logits at its last token (where the reply's first token is drawn)
// give the score tokens' probabilities.

import { ApiError } from "../../shared/http/api-error.ts";
import type { Engine } from "../engine/engine.ts";
import {
  expectedScore,
  type Judge,
  type JudgeAspect,
  type JudgedAnswer,
  type JudgeOptions,
  judgePrompt,
  SCORES,
} from "./judge.ts";

export class BaseModelJudge implements Judge {
  readonly kind = "base_model";
  readonly model: string;
  /** Score -> its token, for the scores the tokenizer writes as one token. */
  private readonly scoreTokens: Map<number, number>;

  constructor(private readonly engine: Engine) {
    this.model = engine.model.metadata.name ?? "base model";
    this.scoreTokens = scoreTokensOf(engine);
  }

  async score(aspect: JudgeAspect, answers: readonly JudgedAnswer[], options: JudgeOptions = {}) {
    const prompts = answers.map((answer) =>
      this.engine.model.tokenizeChat([{ role: "user", content: judgePrompt(aspect, answer) }]),
    );
    const captured = await this.engine.captureTokens(prompts, {
      layers: [],
      logits: true,
      signal: options.signal,
      onProgress: (done) => options.onProgress?.(done),
    });
    const scores = captured.map(({ logits }) => {
      const last = logits.at(-1) as Float32Array;
      // Every score token has a finite logit, so the expectation always exists.
      return expectedScore((score) => {
        const token = this.scoreTokens.get(score);
        return token === undefined ? undefined : last[token];
      }) as number;
    });
    const promptTokens = prompts.reduce((sum, tokens) => sum + tokens.length, 0);
    return { scores, usage: { promptTokens, completionTokens: 0 } };
  }
}

/** The score tokens: "0" to "10", each that the tokenizer writes as a single token. */
function scoreTokensOf(engine: Engine): Map<number, number> {
  const tokens = new Map<number, number>();
  for (const score of SCORES) {
    const ids = engine.model.tokenize(String(score), { addBos: false });
    if (ids.length === 1) tokens.set(score, ids[0] as number);
  }
  if (tokens.size < 2) {
    throw new ApiError(
      400,
      "this model's tokenizer does not write the scores 0 to 10 as single tokens: configure an endpoint judge",
      "judge_unsupported",
    );
  }
  return tokens;
}
