// A generator: what writes a described trait's persona pairs, through answers constrained to
// brief.ts's schema. The node's own base model, unsteered (base-model-generator.ts), or an
// OpenAI-compatible endpoint its operator names (endpoint-generator.ts).
import type { TokenUsage } from "../endpoint/chat-endpoint.ts";

/** One round's ask: `count` pairs for the description; `round` tells rounds apart (their seeds). */
export interface PairsAsked {
  description: string;
  count: number;
  round: number;
}

/** A round's answers: each a text to be read against answerSchema(count), `count` its pairs. */
export interface Written {
  answers: { text: string; count: number }[];
  usage: TokenUsage;
}

export interface PairGenerator {
  readonly kind: "base_model" | "endpoint";
  /** The writing model's name, as the job reports it. */
  readonly model: string;
  /** Refuses, before anything is queued, a description it could never write pairs for. */
  check(description: string): void;
  write(asked: PairsAsked, signal?: AbortSignal): Promise<Written>;
}

/**
 * The sampling temperature the answers are written at: a model's usual, for pairs that differ from
 * one another (each answer seeded, so that a job writes the same pairs each time it runs).
 */
export const GENERATION_TEMPERATURE = 1;
