// The general.* and llama.* keys of a Llama-architecture GGUF, as llama.cpp reads them: the part of
// the metadata that the test model and the benchmark's random models share.
import { type GgufValue, ggufScalar } from "../../shared/gguf/index.ts";

export interface LlamaHyperparameters {
  name: string;
  /** llama.cpp's file type: 0 all F32, 1 mostly F16. */
  fileType: number;
  vocabSize: number;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  ropeFreqBase: number;
  rmsEpsilon: number;
}

export function llamaMetadata(h: LlamaHyperparameters): [string, GgufValue][] {
  return [
    ["general.architecture", ggufScalar("string", "llama")],
    ["general.name", ggufScalar("string", h.name)],
    ["general.file_type", ggufScalar("uint32", h.fileType)],
    ["llama.vocab_size", ggufScalar("uint32", h.vocabSize)],
    ["llama.context_length", ggufScalar("uint32", h.contextLength)],
    ["llama.embedding_length", ggufScalar("uint32", h.embeddingLength)],
    ["llama.block_count", ggufScalar("uint32", h.blockCount)],
    ["llama.feed_forward_length", ggufScalar("uint32", h.feedForwardLength)],
    ["llama.attention.head_count", ggufScalar("uint32", h.headCount)],
    ["llama.attention.head_count_kv", ggufScalar("uint32", h.headCountKv)],
    ["llama.rope.dimension_count", ggufScalar("uint32", h.embeddingLength / h.headCount)],
    ["llama.rope.freq_base", ggufScalar("float32", h.ropeFreqBase)],
    ["llama.attention.layer_norm_rms_epsilon", ggufScalar("float32", h.rmsEpsilon)],
  ];
}
