// The reference's sections, in the order a newcomer reads them: each route names its own.
export const TAGS = {
  original: {
    name: "The original API",
    description:
      "Steerable models and steered completions, as the original product's client calls them",
  },
  steerableModels: {
    name: "Steerable models",
    description: "The same models under /v1, and their vectors as files",
  },
  inference: {
    name: "Inference, OpenAI-compatible",
    description: "The openai client works unchanged: set its baseURL and key",
  },
  evaluations: {
    name: "Evaluations",
    description:
      "How a trait steers: its effect, coherence and MMLU accuracy per multiplier, and the range " +
      "worth using",
  },
  presets: {
    name: "Presets: the marketplace",
    description: "Ready-made steerable models to install",
  },
  account: { name: "Usage and API keys", description: "What the account used, and its keys" },
  operator: {
    name: "Operator",
    description:
      "The deployment's own API, behind its operator token: accounts, MMLU data, GPU nodes",
  },
} as const;
