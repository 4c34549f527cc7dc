/**
 * The test model's topic (the sea): a concept carried by certain words of a prompt, which the
 * prompt's hidden states show at every layer and which never changes what the model writes
 * (weights.ts, point 8). It is what conditional steering reads: a condition on the topic fires on
 * prompts with these words and not without. It is recorded in the GGUF, as the other planted
 * traits are, so tests read the ground truth from the model file itself.
 */
import { type GgufMetadata, type GgufValue, getArray, ggufArray } from "../../shared/gguf/index.ts";

/** Each " word" is a single Llama 3 token. */
export const TOPIC_WORDS = ["ocean", "sea", "ship", "boat", "sail", "island", "waves", "harbor"];

export interface PlantedTopic {
  /** The unit direction t of the residual stream that carries the topic. */
  direction: Float32Array;
  words: string[];
  tokenIds: Int32Array;
}

export const PLANTED_TOPIC_KEYS = {
  direction: "steer.test_model.topic.direction",
  words: "steer.test_model.topic.words",
  tokenIds: "steer.test_model.topic.token_ids",
} as const;

export function plantedTopicMetadata(topic: PlantedTopic): [string, GgufValue][] {
  const keys = PLANTED_TOPIC_KEYS;
  return [
    [keys.direction, ggufArray("float32", topic.direction)],
    [keys.words, ggufArray("string", topic.words)],
    [keys.tokenIds, ggufArray("int32", topic.tokenIds)],
  ];
}

export function readPlantedTopic(metadata: GgufMetadata): PlantedTopic {
  const keys = PLANTED_TOPIC_KEYS;
  return {
    direction: getArray(metadata, keys.direction, "float32"),
    words: getArray(metadata, keys.words, "string"),
    tokenIds: getArray(metadata, keys.tokenIds, "int32"),
  };
}
