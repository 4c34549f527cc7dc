// MMLU under steering, as the original paper and CAA's Section 7 ask it: the standard prompt (the
// subject's worked examples first when shots are asked), and the answer read from the logits of
// " A", " B", " C" and " D" at the token after "Answer:" — the letter the model rates highest.

import { MMLU_LETTERS, type MmluQuestion, type MmluSet } from "../../shared/evaluation/mmlu.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import type { Engine } from "../engine/engine.ts";
import type { Steering } from "../engine/steering.ts";

/** The prompt of one question, raw text (the model's BOS is added when it is tokenized). */
export function mmluPrompt(question: MmluQuestion, examples: readonly MmluQuestion[]): string {
  const subject = question.subject.replaceAll("_", " ");
  const header = `The following are multiple choice questions (with answers) about ${subject}.\n\n`;
  const worked = examples.map((example) => `${body(example)} ${example.answer}\n\n`).join("");
  return header + worked + body(question);
}

function body({ question, choices }: MmluQuestion): string {
  const lines = choices.map((choice, i) => `${MMLU_LETTERS[i]}. ${choice}`);
  return `${question}\n${lines.join("\n")}\nAnswer:`;
}

/** Each question's prompt tokens, its subject's first `shots` examples before it. */
export function mmluPromptTokens(engine: Engine, set: MmluSet): number[][] {
  return set.questions.map((question) => {
    const examples = set.examples.filter((e) => e.subject === question.subject).slice(0, set.shots);
    return engine.model.tokenize(mmluPrompt(question, examples));
  });
}

/** The tokens " A" to " D", which the answer is read from. */
export function letterTokens(engine: Engine): number[] {
  return MMLU_LETTERS.map((letter) => {
    const ids = engine.model.tokenize(` ${letter}`, { addBos: false });
    if (ids.length !== 1) {
      throw new ApiError(
        400,
        `this model's tokenizer splits " ${letter}": MMLU cannot be read from its logits`,
        "mmlu_unsupported",
        "mmlu",
      );
    }
    return ids[0] as number;
  });
}

/** The letter the model rates highest for each prompt, under `steering`. */
export async function mmluAnswers(
  engine: Engine,
  prompts: number[][],
  steering: Steering,
  options: { signal?: AbortSignal; onProgress?: (done: number) => void },
): Promise<MmluQuestion["answer"][]> {
  const letters = letterTokens(engine);
  const captured = await engine.captureTokens(prompts, {
    layers: [],
    logits: true,
    steering,
    signal: options.signal,
    onProgress: (done) => options.onProgress?.(done),
  });
  return captured.map(({ logits }) => {
    const last = logits.at(-1) as Float32Array;
    let best = 0;
    letters.forEach((token, i) => {
      if ((last[token] as number) > (last[letters[best] as number] as number)) best = i;
    });
    return MMLU_LETTERS[best] as MmluQuestion["answer"];
  });
}
