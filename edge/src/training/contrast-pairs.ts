// A trait's examples as the contrast pairs an extraction job reads (the node's pairs mode).
//
// The construction follows repeng's LAT datasets: each pair is two texts that differ in the trait
// alone, and the node takes, per layer, the direction that separates the hidden states at their
// last tokens. Here the i-th positive example is paired with the i-th negative one (the shorter
// list repeats), and every such pair is set after every prompt as the answer to it:
//   "User: <prompt>\nAssistant: <positive example>" vs "User: <prompt>\nAssistant: <negative example>"
// The prompts vary the context around the trait, so that what separates the pairs is the trait
// and not one prompt's wording; the transcript form keeps the texts model-agnostic (the node's
// pairs mode reads raw text, without the model's chat template). The pairs run prompt after
// prompt, so that a cut at MAX_PAIRS keeps every example and drops the last prompts.
import type { ControlDimension } from "../../../shared/api/steerable-models.ts";

/** Enough pairs for a stable direction, few enough for an extraction to take minutes at most. */
export const MAX_PAIRS = 2048;

/** The prompts used when a model is created without a prompt_list. */
export const DEFAULT_PROMPTS: readonly string[] = [
  "Tell me about your day.",
  "What do you think about this plan?",
  "Can you help me with a problem I have?",
  "Describe the place where you live.",
  "What should I do this weekend?",
  "Explain how you would approach a new project.",
  "What is your opinion of the news lately?",
  "Write a short note to a colleague.",
];

export interface ContrastPair {
  positive: string;
  negative: string;
}

export function contrastPairs(
  dimension: ControlDimension,
  prompts: readonly string[] = DEFAULT_PROMPTS,
): ContrastPair[] {
  const { positive_examples: positives, negative_examples: negatives } = dimension;
  const examplePairs = Math.max(positives.length, negatives.length);
  const pairs: ContrastPair[] = [];
  for (const prompt of prompts) {
    for (let i = 0; i < examplePairs && pairs.length < MAX_PAIRS; i++) {
      pairs.push({
        positive: answer(prompt, positives[i % positives.length] ?? ""),
        negative: answer(prompt, negatives[i % negatives.length] ?? ""),
      });
    }
  }
  return pairs;
}

function answer(prompt: string, example: string): string {
  return `User: ${prompt}\nAssistant: ${example}`;
}
