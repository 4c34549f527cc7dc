// The contenders' names, as the table shows them and as the target checks look them up.
export const CONTENDER = {
  engine: "Steer engine",
  engineSteered: "Steer engine, steered",
  llamaBench: "llama.cpp llama-bench (native build)",
  nodeLlamaCpp: "node-llama-cpp LlamaCompletion",
} as const;
