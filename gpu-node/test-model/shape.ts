/** Hyperparameters of the tiny test model: a real Llama 3 vocabulary on a 64-wide body. */
export const TEST_MODEL_SHAPE = {
  vocabSize: 128256,
  contextLength: 2048,
  embeddingLength: 64,
  blockCount: 4,
  feedForwardLength: 128,
  headCount: 4,
  /** Grouped-query attention: two query heads share each KV head. */
  headCountKv: 2,
  headDim: 16,
  ropeFreqBase: 500000,
  rmsEpsilon: 1e-5,
} as const;
