// How far steering moves the model off its own predictions, judge-free: the mean KL divergence,
// in nats per token, of the steered next-token distribution from the unsteered one along a
// neutral text, read from the logits at every token.
import type { Engine } from "../engine/engine.ts";
import type { Steering } from "../engine/steering.ts";

/** A distribution per position, as its logits and their log-sum-exp (so log p = logit - lse). */
export interface NextTokenDistributions {
  logits: Float32Array[];
  logSumExp: number[];
}

/** The next-token distributions at every position of `tokens`, under `steering`. */
export async function nextTokenDistributions(
  engine: Engine,
  tokens: number[],
  steering: Steering,
  signal?: AbortSignal,
): Promise<NextTokenDistributions> {
  const [captured] = await engine.captureTokens([tokens], {
    layers: [],
    logits: true,
    allTokens: true,
    steering,
    signal,
  });
  const logits = captured?.logits ?? [];
  return { logits, logSumExp: logits.map(logSumExp) };
}

/** Mean over positions of KL(steered || unsteered). */
export function meanKl(steered: NextTokenDistributions, unsteered: NextTokenDistributions): number {
  const positions = steered.logits.length;
  let total = 0;
  for (let position = 0; position < positions; position++) {
    const p = steered.logits[position] as Float32Array;
    const q = unsteered.logits[position] as Float32Array;
    const lseP = steered.logSumExp[position] as number;
    const lseQ = unsteered.logSumExp[position] as number;
    // sum_i p_i (log p_i - log q_i), with log p_i = p_i' - lseP for logits p_i'.
    let kl = 0;
    for (let i = 0; i < p.length; i++) {
      const logP = (p[i] as number) - lseP;
      kl += Math.exp(logP) * (logP - ((q[i] as number) - lseQ));
    }
    total += kl;
  }
  return positions === 0 ? 0 : total / positions;
}

function logSumExp(logits: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] as number) - max);
  return max + Math.log(sum);
}
