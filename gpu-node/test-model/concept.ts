/**
 * The trait planted in the test model (cheerful vs gloomy) and how it is recorded in the GGUF, so
 * tests and tools can read the ground truth from the model file itself.
 */
import {
  type GgufMetadata,
  type GgufValue,
  getArray,
  getNumber,
  ggufArray,
  ggufScalar,
} from "../../shared/gguf/index.ts";

/**
 * Antonym pairs (positive[i] vs negative[i]); each " word" is a single Llama 3 token. Any pair
 * works as the persona pair of a contrastive prompt.
 */
export const CONCEPT_WORDS = {
  positive: [
    "happy",
    "cheerful",
    "joyful",
    "glad",
    "delighted",
    "wonderful",
    "sunny",
    "lovely",
    "joy",
    "smile",
    "laugh",
    "hope",
  ],
  negative: [
    "sad",
    "miserable",
    "depressed",
    "unhappy",
    "upset",
    "awful",
    "bleak",
    "dismal",
    "grief",
    "tears",
    "cry",
    "despair",
  ],
} as const;

export interface PlantedConcept {
  /** Unit vector u of the residual stream that carries the trait (positive = cheerful). */
  direction: Float32Array;
  positiveWords: string[];
  negativeWords: string[];
  /** Token ids of " word" for each word, in the same order. */
  positiveTokenIds: Int32Array;
  negativeTokenIds: Int32Array;
  /**
   * Norm of the per-layer control vector that steers clearly: adding m * steeringNorm * u to
   * layers 1..n-1 moves next-token mass to positive (m > 0) or negative (m < 0) words, and
   * |m| = 1 makes those words dominate.
   */
  steeringNorm: number;
}

export const PLANTED_CONCEPT_KEYS = {
  direction: "steer.test_model.direction",
  positiveWords: "steer.test_model.positive_words",
  negativeWords: "steer.test_model.negative_words",
  positiveTokenIds: "steer.test_model.positive_token_ids",
  negativeTokenIds: "steer.test_model.negative_token_ids",
  steeringNorm: "steer.test_model.steering_norm",
} as const;

export function plantedConceptMetadata(concept: PlantedConcept): [string, GgufValue][] {
  const keys = PLANTED_CONCEPT_KEYS;
  return [
    [keys.direction, ggufArray("float32", concept.direction)],
    [keys.positiveWords, ggufArray("string", concept.positiveWords)],
    [keys.negativeWords, ggufArray("string", concept.negativeWords)],
    [keys.positiveTokenIds, ggufArray("int32", concept.positiveTokenIds)],
    [keys.negativeTokenIds, ggufArray("int32", concept.negativeTokenIds)],
    [keys.steeringNorm, ggufScalar("float32", concept.steeringNorm)],
  ];
}

export function readPlantedConcept(metadata: GgufMetadata): PlantedConcept {
  const keys = PLANTED_CONCEPT_KEYS;
  return {
    direction: getArray(metadata, keys.direction, "float32"),
    positiveWords: getArray(metadata, keys.positiveWords, "string"),
    negativeWords: getArray(metadata, keys.negativeWords, "string"),
    positiveTokenIds: getArray(metadata, keys.positiveTokenIds, "int32"),
    negativeTokenIds: getArray(metadata, keys.negativeTokenIds, "int32"),
    steeringNorm: getNumber(metadata, keys.steeringNorm),
  };
}
