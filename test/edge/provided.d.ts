// What the edge tests' globalSetup (global-setup.ts, in Node) provides to the tests (in workerd).
export {};

declare module "vitest" {
  interface ProvidedContext {
    /** The test model's planted cheerful direction: a control-vector GGUF, in base64. */
    plantedVector: string;
    /** Words the planted direction makes the model say. */
    plantedWords: string[];
    /** The test model's band trait: its persona words, and the layers it lives in. */
    plantedBand: { positive: string[]; negative: string[]; layers: number[] };
    /** The test model's topic words (the sea): a prompt with them shows its direction. */
    plantedTopic: string[];
    /** A few MMLU release files (their test and dev splits): file name -> its CSV. */
    mmluFiles: Record<string, string>;
    /** A GPU node whose generator answers only malformed pairs: its base URL. */
    malformedGeneratorNode: string;
    /** A GPU node serving another base model (the test model's weights under another name). */
    otherModelNode: { url: string; model: string };
  }
}
