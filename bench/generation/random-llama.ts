// A Llama-architecture GGUF with random weights, of any shape: speed depends on the shape and the
// quantization, not on what the weights say, so a random model of Llama-3.2-1B's shape benchmarks
// like the real one without downloading it.

import { llamaMetadata } from "../../gpu-node/test-model/llama-metadata.ts";
import { GgmlType, type GgufMetadata, type GgufTensorInput } from "../../shared/gguf/index.ts";
import { writeGgufFile } from "../../shared/gguf/node-file.ts";

/** llama.cpp's general.file_type for a model whose matrices are F16. */
const FILE_TYPE_MOSTLY_F16 = 1;

export interface LlamaShape {
  name: string;
  blockCount: number;
  embeddingLength: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  contextLength: number;
  ropeFreqBase: number;
  rmsEpsilon: number;
}

/** Llama-3.2-1B's hyperparameters (its output layer is tied to the token embeddings). */
export const LLAMA_3_2_1B_SHAPE: LlamaShape = {
  name: "random-llama-3.2-1b-shape",
  blockCount: 16,
  embeddingLength: 2048,
  feedForwardLength: 8192,
  headCount: 32,
  headCountKv: 8,
  contextLength: 131072,
  ropeFreqBase: 500000,
  rmsEpsilon: 1e-5,
};

/** Standard deviation of the random weights: small, as in trained models of this width. */
const WEIGHT_STD = 0.02;

/**
 * Writes the model as F16, streaming tensor by tensor. `tokenizer` holds the tokenizer.* metadata
 * (copied from another model with the same vocabulary); the vocabulary size follows from it.
 */
export async function writeRandomLlama(
  path: string,
  shape: LlamaShape,
  tokenizer: GgufMetadata,
): Promise<void> {
  const vocabularySize = tokenizerTokenCount(tokenizer);
  const tensors = llamaTensors(shape, vocabularySize);
  const metadata: GgufMetadata = new Map([
    ...llamaMetadata({ ...shape, vocabSize: vocabularySize, fileType: FILE_TYPE_MOSTLY_F16 }),
    ...tokenizer,
  ]);
  await writeGgufFile(path, { metadata, tensors });
}

function tokenizerTokenCount(tokenizer: GgufMetadata): number {
  const tokens = tokenizer.get("tokenizer.ggml.tokens");
  if (tokens?.type !== "array") throw new Error("tokenizer metadata has no tokenizer.ggml.tokens");
  return tokens.value.length;
}

/**
 * Every tensor of the architecture. Norm weights are ones; matrices are windows, at different
 * offsets, of one pool of random numbers as large as the largest matrix: distinct weights per
 * tensor while only that one pool (about 1 GB for this vocabulary) is ever held in memory.
 */
function llamaTensors(shape: LlamaShape, vocabularySize: number): GgufTensorInput[] {
  const embd = shape.embeddingLength;
  const kvWidth = (embd / shape.headCount) * shape.headCountKv;
  // [name, inputs, outputs]: ggml's shape order, the row (input) width first.
  const matrixShapes: [string, number, number][] = [["token_embd", embd, vocabularySize]];
  for (let block = 0; block < shape.blockCount; block++) {
    const ff = shape.feedForwardLength;
    matrixShapes.push(
      [`blk.${block}.attn_q`, embd, embd],
      [`blk.${block}.attn_k`, embd, kvWidth],
      [`blk.${block}.attn_v`, embd, kvWidth],
      [`blk.${block}.attn_output`, embd, embd],
      [`blk.${block}.ffn_gate`, embd, ff],
      [`blk.${block}.ffn_up`, embd, ff],
      [`blk.${block}.ffn_down`, ff, embd],
    );
  }
  const pool = randomPool(Math.max(...matrixShapes.map(([, inputs, outputs]) => inputs * outputs)));
  const matrices = matrixShapes.map(([name, inputs, outputs], i) => {
    const size = inputs * outputs;
    // Stepping by a large prime scatters the windows' starts over the pool.
    const offset = (i * 7_919_993) % (pool.length - size + 1);
    return f16(`${name}.weight`, [inputs, outputs], pool.subarray(offset, offset + size));
  });
  const ones = new Float32Array(embd).fill(1);
  const norms = [
    "output_norm",
    ...Array.from({ length: shape.blockCount }, (_, b) => [
      `blk.${b}.attn_norm`,
      `blk.${b}.ffn_norm`,
    ]).flat(),
  ].map((name) => ({ name: `${name}.weight`, shape: [embd], type: GgmlType.F32, data: ones }));
  return [...matrices, ...norms];
}

function f16(name: string, shape: number[], data: Float32Array): GgufTensorInput {
  return { name, shape, type: GgmlType.F16, data };
}

/** Uniform noise with WEIGHT_STD, from a fixed-seed xorshift generator (fast, reproducible). */
function randomPool(size: number): Float32Array {
  const pool = new Float32Array(size);
  const halfWidth = WEIGHT_STD * Math.sqrt(3);
  let state = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pool[i] = ((state >>> 0) / 0x1_0000_0000) * 2 * halfWidth - halfWidth;
  }
  return pool;
}
