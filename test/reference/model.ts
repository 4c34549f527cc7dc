/**
 * Loads a Llama-architecture GGUF into plain arrays for the reference forward pass.
 * Weights keep their float32 values; all arithmetic on them happens in float64.
 */

import {
  findTensor,
  type GgufFile,
  getNumber,
  getScalar,
  readTensor,
} from "../../shared/gguf/index.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";

export interface LlamaHyperparameters {
  vocabSize: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  headDim: number;
  /** Leading dimensions of each head that RoPE rotates (llama.cpp requires all of them). */
  ropeDimensions: number;
  ropeFreqBase: number;
  rmsEpsilon: number;
}

/**
 * Matrices use ggml's layout: a weight with ne = [in, out] is `out` rows of `in` values,
 * so y[o] = sum_i W[o * in + i] * x[i].
 */
export interface ReferenceLayer {
  attentionNorm: Float32Array;
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  attentionOutput: Float32Array;
  ffnNorm: Float32Array;
  ffnGate: Float32Array;
  ffnUp: Float32Array;
  ffnDown: Float32Array;
}

export interface ReferenceModel {
  hparams: LlamaHyperparameters;
  tokenEmbedding: Float32Array;
  layers: ReferenceLayer[];
  outputNorm: Float32Array;
  /** output.weight, or token_embd.weight when the embeddings are tied (as llama.cpp does). */
  unembedding: Float32Array;
}

export async function loadReferenceModelFile(path: string): Promise<ReferenceModel> {
  return loadReferenceModel(await readGgufFile(path));
}

export function loadReferenceModel(file: GgufFile): ReferenceModel {
  const architecture = getScalar(file.metadata, "general.architecture", "string");
  if (architecture !== "llama") {
    throw new Error(`reference forward pass supports llama models, not "${architecture}"`);
  }
  const hparams = readHyperparameters(file);
  const { embeddingLength: embd, feedForwardLength: ff, headDim, vocabSize } = hparams;
  const qWidth = hparams.headCount * headDim;
  const kvWidth = hparams.headCountKv * headDim;
  const tensor = (name: string, shape: number[]) => readShapedTensor(file, name, shape);

  const tokenEmbedding = tensor("token_embd.weight", [embd, vocabSize]);
  const hasOutput = file.tensors.some((candidate) => candidate.name === "output.weight");
  return {
    hparams,
    tokenEmbedding,
    layers: Array.from({ length: hparams.blockCount }, (_, il) => ({
      attentionNorm: tensor(`blk.${il}.attn_norm.weight`, [embd]),
      query: tensor(`blk.${il}.attn_q.weight`, [embd, qWidth]),
      key: tensor(`blk.${il}.attn_k.weight`, [embd, kvWidth]),
      value: tensor(`blk.${il}.attn_v.weight`, [embd, kvWidth]),
      attentionOutput: tensor(`blk.${il}.attn_output.weight`, [qWidth, embd]),
      ffnNorm: tensor(`blk.${il}.ffn_norm.weight`, [embd]),
      ffnGate: tensor(`blk.${il}.ffn_gate.weight`, [embd, ff]),
      ffnUp: tensor(`blk.${il}.ffn_up.weight`, [embd, ff]),
      ffnDown: tensor(`blk.${il}.ffn_down.weight`, [ff, embd]),
    })),
    outputNorm: tensor("output_norm.weight", [embd]),
    unembedding: hasOutput ? tensor("output.weight", [embd, vocabSize]) : tokenEmbedding,
  };
}

function readHyperparameters(file: GgufFile): LlamaHyperparameters {
  const number = (key: string) => getNumber(file.metadata, key);
  const embeddingLength = number("llama.embedding_length");
  const headCount = number("llama.attention.head_count");
  const headDim = embeddingLength / headCount;
  const ropeDimensions = file.metadata.has("llama.rope.dimension_count")
    ? number("llama.rope.dimension_count")
    : headDim;
  if (ropeDimensions !== headDim) {
    throw new Error(`llama.cpp requires rope.dimension_count (${ropeDimensions}) = ${headDim}`);
  }
  return {
    vocabSize: findTensor(file, "token_embd.weight").shape[1] ?? 0,
    embeddingLength,
    blockCount: number("llama.block_count"),
    feedForwardLength: number("llama.feed_forward_length"),
    headCount,
    headCountKv: file.metadata.has("llama.attention.head_count_kv")
      ? number("llama.attention.head_count_kv")
      : headCount,
    headDim,
    ropeDimensions,
    ropeFreqBase: file.metadata.has("llama.rope.freq_base")
      ? number("llama.rope.freq_base")
      : 10000,
    rmsEpsilon: number("llama.attention.layer_norm_rms_epsilon"),
  };
}

function readShapedTensor(file: GgufFile, name: string, shape: number[]): Float32Array {
  const actual = findTensor(file, name).shape;
  if (actual.length !== shape.length || actual.some((dim, i) => dim !== shape[i])) {
    throw new Error(`tensor ${name} has shape [${actual}], expected [${shape}]`);
  }
  return readTensor(file, name);
}
