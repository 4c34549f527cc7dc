// The measuring protocol shared by the contenders written in TypeScript (the engine and
// node-llama-cpp): each gives two timed operations, and this file turns them into rates.
import type { Workload } from "./workload.ts";

/** One contender's figures: tokens per second, a sample per round. */
export interface Measurement {
  name: string;
  promptTokensPerSecond: number[];
  generatedTokensPerSecond: number[];
  /** Anything the reader should know, e.g. generation that ended early. */
  notes: string[];
}

export interface GenerationTiming {
  /** Tokens produced in all (fewer than asked when an end-of-generation token came first). */
  produced: number;
  /** Tokens produced after the first text arrived... */
  timed: number;
  /** ...and the seconds they took: from that arrival to the end. */
  seconds: number;
}

export interface Runner {
  name: string;
  /** Reads a prompt of workload.promptTokens tokens and draws one token; returns the seconds. */
  processPrompt(): Promise<number>;
  /** Generates up to workload.generatedTokens tokens from a short prompt. */
  generate(): Promise<GenerationTiming>;
}

/**
 * Runs every runner once to warm up, then once measured. The runners take turns going first, by
 * round, so that none always runs right after another; results come back in `runners` order.
 */
export async function measureRunners(
  runners: readonly Runner[],
  workload: Workload,
  round: number,
): Promise<Measurement[]> {
  for (const runner of runners) {
    await runner.processPrompt();
    await runner.generate();
  }
  const measurements: Measurement[] = [];
  for (const index of turnOrder(runners.length, round)) {
    const runner = runners[index] as Runner;
    const promptSeconds = await runner.processPrompt();
    const generation = await runner.generate();
    measurements[index] = {
      name: runner.name,
      promptTokensPerSecond: [workload.promptTokens / promptSeconds],
      generatedTokensPerSecond: [generation.timed / generation.seconds],
      notes:
        generation.produced < workload.generatedTokens
          ? [`generation met an end-of-generation token after ${generation.produced} tokens`]
          : [],
    };
  }
  return measurements;
}

/** Indices 0..count-1, starting from a different one each round. */
export function turnOrder(count: number, round: number): number[] {
  return Array.from({ length: count }, (_, i) => (round + i) % count);
}

/** Gathers the rounds' measurements of each contender into one, in order of first appearance. */
export function mergeRounds(rounds: readonly Measurement[][]): Measurement[] {
  const byName = new Map<string, Measurement>();
  for (const m of rounds.flat()) {
    const merged = byName.get(m.name);
    if (merged === undefined) byName.set(m.name, structuredClone(m));
    else {
      merged.promptTokensPerSecond.push(...m.promptTokensPerSecond);
      merged.generatedTokensPerSecond.push(...m.generatedTokensPerSecond);
      merged.notes.push(...m.notes);
    }
  }
  return [...byName.values()];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}
