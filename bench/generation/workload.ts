// What every contender is asked to do, with the same settings for all: how many threads, how big a
// context and batch, how many prompt tokens to read and new tokens to write, how many times.
import { availableParallelism } from "node:os";

export interface Workload {
  /** CPU threads for every contender: all the cores. */
  threads: number;
  /** KV cache size and batch size (llama.cpp's n_ctx; n_batch = n_ubatch). */
  contextSize: number;
  batchSize: number;
  /** Prompt processing: read a prompt of this many tokens (one decode when <= batchSize). */
  promptTokens: number;
  /** Generation: write this many new tokens, one decode each. */
  generatedTokens: number;
  /**
   * Rounds of the whole field: each round runs every contender once (after a warm-up run), one
   * after the other, so that the machine's slow moments spread over all of them. The report
   * shows the median over rounds.
   */
  rounds: number;
}

/** What run.ts hands a contender running in a child process (see child.ts). */
export interface WorkerInput {
  modelPath: string;
  workload: Workload;
  /** Which round this is (see measureRunners). */
  round: number;
}

export function workload(quick: boolean): Workload {
  const common = { threads: availableParallelism(), contextSize: 1024, batchSize: 512 };
  return quick
    ? { ...common, promptTokens: 128, generatedTokens: 32, rounds: 1 }
    : { ...common, promptTokens: 256, generatedTokens: 64, rounds: 5 };
}

/**
 * A prompt that the Llama 3 tokenizer reads as exactly `tokens` tokens, BOS included: " the" is
 * one token, and so is each repetition of it.
 */
export function promptOfLength(tokens: number): string {
  return `The${" the".repeat(tokens - 2)}`;
}

/** The generation runs start from this short prompt, so their time is nearly all generation. */
export const GENERATION_PROMPT = "Once upon a time";
