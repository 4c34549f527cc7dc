/**
 * The float64 building blocks of the reference forward pass, each matching the ggml op it mirrors.
 */

/** ggml_mul_mat with a [in, out] weight: y[o] = sum_i W[o * in + i] * x[i]. */
export function matVec(weight: Float32Array, x: Float64Array, outputs: number): Float64Array {
  const inputs = x.length;
  if (weight.length !== inputs * outputs) {
    throw new Error(`weight of ${weight.length} values is not ${outputs}x${inputs}`);
  }
  const y = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    const row = o * inputs;
    let sum = 0;
    for (let i = 0; i < inputs; i++) sum += (weight[row + i] as number) * (x[i] as number);
    y[o] = sum;
  }
  return y;
}

/** ggml_rms_norm followed by the elementwise gain: x / sqrt(mean(x^2) + eps) * gain. */
export function rmsNorm(x: Float64Array, gain: Float32Array, epsilon: number): Float64Array {
  let sumOfSquares = 0;
  for (const value of x) sumOfSquares += value * value;
  const scale = 1 / Math.sqrt(sumOfSquares / x.length + epsilon);
  return x.map((value, i) => value * scale * (gain[i] as number));
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Probabilities from logits. */
export function softmax(logits: Float64Array): Float64Array {
  return softmaxInPlace(logits.slice());
}

/** Softmax over `scores` in place (shifted by the max, as ggml does, for stability). */
export function softmaxInPlace(scores: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const score of scores) max = Math.max(max, score);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const weight = Math.exp((scores[i] as number) - max);
    scores[i] = weight;
    sum += weight;
  }
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / sum;
  return scores;
}

export function addInPlace(target: Float64Array, addend: ArrayLike<number>): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + (addend[i] as number);
}

/**
 * RoPE in llama.cpp's NORM mode (the mode of LLM_ARCH_LLAMA): within each head, the adjacent
 * pair (x[2i], x[2i+1]) is rotated by position * base^(-2i / dims).
 */
export function ropeInPlace(
  vector: Float64Array,
  headDim: number,
  position: number,
  freqBase: number,
): void {
  for (let head = 0; head < vector.length; head += headDim) {
    for (let i = 0; i < headDim / 2; i++) {
      const angle = position * freqBase ** ((-2 * i) / headDim);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const a = head + 2 * i;
      const x0 = vector[a] as number;
      const x1 = vector[a + 1] as number;
      vector[a] = x0 * cos - x1 * sin;
      vector[a + 1] = x0 * sin + x1 * cos;
    }
  }
}
