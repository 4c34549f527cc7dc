/**
 * A plain float64 forward pass of llama.cpp's LLM_ARCH_LLAMA graph, for checking the engine's
 * logits and hidden states. Per layer il:
 *
 *   attn_in = rms_norm(x) * attn_norm
 *   x      += Wo · attention(rope(Wq · attn_in), rope(Wk · attn_in), Wv · attn_in)
 *   ffn_in  = rms_norm(x) * ffn_norm
 *   x      += W_down · (silu(W_gate · ffn_in) * (W_up · ffn_in))
 *   x      += control_vector[il]           (if any; llama.cpp never steers layer 0)
 *   l_out-il = x
 *
 * then logits = unembedding · (rms_norm(x) * output_norm). Attention is causal softmax scaled by
 * 1/sqrt(head_dim); with grouped-query attention, query head h reads KV head
 * floor(h / (head_count / head_count_kv)).
 */
import { addInPlace, matVec, rmsNorm, ropeInPlace, silu, softmaxInPlace } from "./math.ts";
import type { ReferenceLayer, ReferenceModel } from "./model.ts";

export interface ReferenceForwardOptions {
  /** Vector added to the output of layer il (1 <= il < block count), at every position. */
  controlVector?: ReadonlyMap<number, ArrayLike<number>>;
  /** Which positions get logits (the vocabulary projection dominates the cost). Default "all". */
  logitsFor?: "all" | "last" | "none";
}

export interface ReferenceForwardResult {
  /** Logits per position; only the requested positions are present ("last": a single entry). */
  logits: Float64Array[];
  /** layerOutputs[il][position] = l_out-il, the residual stream after layer il (and its steering). */
  layerOutputs: Float64Array[][];
}

export function referenceForward(
  model: ReferenceModel,
  tokens: readonly number[],
  options: ReferenceForwardOptions = {},
): ReferenceForwardResult {
  const { hparams } = model;
  validateInput(model, tokens, options.controlVector);

  let hidden = tokens.map((token) => embeddingOf(model, token));
  const layerOutputs: Float64Array[][] = [];
  for (let il = 0; il < hparams.blockCount; il++) {
    hidden = transformerBlock(model, model.layers[il] as ReferenceLayer, hidden);
    const steering = options.controlVector?.get(il);
    if (steering !== undefined) for (const state of hidden) addInPlace(state, steering);
    layerOutputs.push(hidden.map((state) => state.slice()));
  }

  const logitsFor = options.logitsFor ?? "all";
  const outputStates = logitsFor === "all" ? hidden : logitsFor === "last" ? hidden.slice(-1) : [];
  const logits = outputStates.map((state) =>
    matVec(
      model.unembedding,
      rmsNorm(state, model.outputNorm, hparams.rmsEpsilon),
      hparams.vocabSize,
    ),
  );
  return { logits, layerOutputs };
}

function validateInput(
  model: ReferenceModel,
  tokens: readonly number[],
  controlVector: ReadonlyMap<number, ArrayLike<number>> | undefined,
): void {
  const { vocabSize, blockCount, embeddingLength } = model.hparams;
  if (tokens.length === 0) throw new Error("referenceForward needs at least one token");
  const badToken = tokens.find(
    (token) => !Number.isInteger(token) || token < 0 || token >= vocabSize,
  );
  if (badToken !== undefined) throw new Error(`token ${badToken} is outside the vocabulary`);
  for (const [layer, vector] of controlVector ?? []) {
    if (!Number.isInteger(layer) || layer < 1 || layer >= blockCount) {
      throw new Error(
        `control vector layer ${layer} is not in 1..${blockCount - 1} (llama.cpp never steers layer 0)`,
      );
    }
    if (vector.length !== embeddingLength) {
      throw new Error(
        `control vector for layer ${layer} has ${vector.length} values, not ${embeddingLength}`,
      );
    }
  }
}

function embeddingOf(model: ReferenceModel, token: number): Float64Array {
  const width = model.hparams.embeddingLength;
  return Float64Array.from(model.tokenEmbedding.subarray(token * width, (token + 1) * width));
}

function transformerBlock(
  model: ReferenceModel,
  layer: ReferenceLayer,
  input: Float64Array[],
): Float64Array[] {
  const epsilon = model.hparams.rmsEpsilon;
  const attended = attention(
    model,
    layer,
    input.map((state) => rmsNorm(state, layer.attentionNorm, epsilon)),
  );
  return input.map((state, position) => {
    const afterAttention = state.slice();
    addInPlace(afterAttention, attended[position] as Float64Array);
    const ffnIn = rmsNorm(afterAttention, layer.ffnNorm, epsilon);
    addInPlace(afterAttention, feedForward(model, layer, ffnIn));
    return afterAttention;
  });
}

function attention(
  model: ReferenceModel,
  layer: ReferenceLayer,
  normed: Float64Array[],
): Float64Array[] {
  const { headCount, headCountKv, headDim, embeddingLength, ropeFreqBase } = model.hparams;
  const queries = normed.map((x, position) => {
    const q = matVec(layer.query, x, headCount * headDim);
    ropeInPlace(q, headDim, position, ropeFreqBase);
    return q;
  });
  const keys = normed.map((x, position) => {
    const k = matVec(layer.key, x, headCountKv * headDim);
    ropeInPlace(k, headDim, position, ropeFreqBase);
    return k;
  });
  const values = normed.map((x) => matVec(layer.value, x, headCountKv * headDim));

  const scale = 1 / Math.sqrt(headDim);
  const queriesPerKvHead = headCount / headCountKv;
  return queries.map((query, position) => {
    const mixed = new Float64Array(headCount * headDim);
    for (let head = 0; head < headCount; head++) {
      const kvOffset = Math.floor(head / queriesPerKvHead) * headDim;
      const qOffset = head * headDim;
      // Causal: position p attends to positions 0..p.
      const weights = new Float64Array(position + 1);
      for (let j = 0; j <= position; j++) {
        weights[j] = dot(query, qOffset, keys[j] as Float64Array, kvOffset, headDim) * scale;
      }
      softmaxInPlace(weights);
      for (let j = 0; j <= position; j++) {
        const value = values[j] as Float64Array;
        const weight = weights[j] as number;
        for (let d = 0; d < headDim; d++) {
          mixed[qOffset + d] =
            (mixed[qOffset + d] as number) + weight * (value[kvOffset + d] as number);
        }
      }
    }
    return matVec(layer.attentionOutput, mixed, embeddingLength);
  });
}

function feedForward(model: ReferenceModel, layer: ReferenceLayer, x: Float64Array): Float64Array {
  const width = model.hparams.feedForwardLength;
  const gate = matVec(layer.ffnGate, x, width);
  const up = matVec(layer.ffnUp, x, width);
  const activated = gate.map((g, i) => silu(g) * (up[i] as number));
  return matVec(layer.ffnDown, activated, model.hparams.embeddingLength);
}

function dot(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, length: number) {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += (a[aOffset + i] as number) * (b[bOffset + i] as number);
  return sum;
}
