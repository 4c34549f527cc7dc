export { BAND_WORDS, type PlantedBand, readPlantedBand } from "./band.ts";
export {
  CONCEPT_WORDS,
  PLANTED_CONCEPT_KEYS,
  type PlantedConcept,
  readPlantedConcept,
} from "./concept.ts";
export { jsonPunctuationTokens } from "./json-punctuation.ts";
export { DEFAULT_TEST_MODEL_PATH, ensureTestModel, writeTestModel } from "./model-file.ts";
export { TEST_MODEL_SHAPE } from "./shape.ts";
export { type PlantedTopic, readPlantedTopic, TOPIC_WORDS } from "./topic.ts";
export { CONCEPT_STRENGTH, STEERING_NORM } from "./weights.ts";
