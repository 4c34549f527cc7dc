/**
 * The test model's second planted trait, calm vs angry, which lives in a band of layers only: the
 * residual stream carries it at the outputs of the layers in `layers` and nowhere else (weights.ts,
 * point 7). It is what shows that choosing layers by measurement finds where a trait is readable:
 * its band is not the fixed upper-middle band. It is recorded in the GGUF, as the cheerful trait
 * is (concept.ts), so tests read the ground truth from the model file itself.
 */
import { type GgufMetadata, type GgufValue, getArray, ggufArray } from "../../shared/gguf/index.ts";

/** Antonym pairs (positive[i] vs negative[i]); each " word" is a single Llama 3 token. */
export const BAND_WORDS = {
  positive: ["calm", "gentle", "peaceful", "relaxed", "patient", "quiet"],
  negative: ["angry", "harsh", "hostile", "tense", "impatient", "loud"],
} as const;

export interface PlantedBand {
  /** The unit direction w of the residual stream that carries the trait inside the band. */
  direction: Float32Array;
  positiveWords: string[];
  negativeWords: string[];
  /** The layers whose output carries it, ascending (0-based, as control vectors count them). */
  layers: number[];
}

export const PLANTED_BAND_KEYS = {
  direction: "steer.test_model.band.direction",
  positiveWords: "steer.test_model.band.positive_words",
  negativeWords: "steer.test_model.band.negative_words",
  layers: "steer.test_model.band.layers",
} as const;

export function plantedBandMetadata(band: PlantedBand): [string, GgufValue][] {
  const keys = PLANTED_BAND_KEYS;
  return [
    [keys.direction, ggufArray("float32", band.direction)],
    [keys.positiveWords, ggufArray("string", band.positiveWords)],
    [keys.negativeWords, ggufArray("string", band.negativeWords)],
    [keys.layers, ggufArray("int32", Int32Array.from(band.layers))],
  ];
}

export function readPlantedBand(metadata: GgufMetadata): PlantedBand {
  const keys = PLANTED_BAND_KEYS;
  return {
    direction: getArray(metadata, keys.direction, "float32"),
    positiveWords: getArray(metadata, keys.positiveWords, "string"),
    negativeWords: getArray(metadata, keys.negativeWords, "string"),
    layers: Array.from(getArray(metadata, keys.layers, "int32")),
  };
}
