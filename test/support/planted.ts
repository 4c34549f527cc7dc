// The test model's planted trait, as tests and checks use it.
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import {
  type PlantedConcept,
  type PlantedTopic,
  readPlantedConcept,
  readPlantedTopic,
} from "../../gpu-node/test-model/index.ts";
import { plantedControlVector } from "../../gpu-node/test-model/planted-vector.ts";
import type { ControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";

export interface Planted {
  concept: PlantedConcept;
  /** The planted direction as a control vector on every steerable layer. */
  cheerful: ControlVector;
}

export async function readPlanted(modelPath: string, layerCount: number): Promise<Planted> {
  const concept = readPlantedConcept((await readGgufFile(modelPath)).metadata);
  return { concept, cheerful: plantedControlVector(concept, layerCount) };
}

/** How many of `text`'s words are in `words`. */
export function countWords(text: string, words: readonly string[]): number {
  return text.split(/\s+/).filter((word) => words.includes(word)).length;
}

export const DAY_PROMPT = [{ role: "user" as const, content: "Tell me about your day." }];

/** Greedy answers to DAY_PROMPT at cheerful -1, 0 and +1. */
export async function steeredAnswers(engine: Engine, { cheerful }: Planted) {
  const write = async (multiplier: number) =>
    (
      await engine.complete({
        messages: DAY_PROMPT,
        maxNewTokens: 8,
        steering: [{ vector: cheerful, multiplier }],
      })
    ).text;
  return { gloomy: await write(-1), plain: await write(0), cheerful: await write(1) };
}

/** The reference's view of a steering spec: the summed direction per layer. */
export function summedDirections(steering: Steering): Map<number, Float64Array> {
  const layers = new Map<number, Float64Array>();
  for (const { vector, multiplier } of steering) {
    for (const [layer, direction] of vector.directions) {
      const sum = layers.get(layer) ?? new Float64Array(direction.length);
      direction.forEach((x, i) => {
        sum[i] = (sum[i] as number) + multiplier * x;
      });
      layers.set(layer, sum);
    }
  }
  return layers;
}

/** A prompt about the test model's topic (the sea), and one that is not. */
export const SEA_PROMPT = "Tell me a story about the ocean at night.";
export const CITY_PROMPT = "Tell me a story about the city at night.";

/** The layer conditions on the topic read in tests: below every layer `cheerfulAbove` steers. */
export const TOPIC_READ_LAYER = 1;

export interface TopicVectors {
  topic: PlantedTopic;
  /** The topic's direction on every steerable layer: what a condition on it reads. */
  sea: ControlVector;
  /** The planted cheerful trait on the layers above TOPIC_READ_LAYER: a condition read there
   * that fires steers the whole prompt with it, as plain steering would. */
  cheerfulAbove: ControlVector;
}

export async function readTopicVectors(
  modelPath: string,
  layerCount: number,
): Promise<TopicVectors> {
  const { metadata } = await readGgufFile(modelPath);
  const topic = readPlantedTopic(metadata);
  const cheerful = plantedControlVector(readPlantedConcept(metadata), layerCount);
  const from = (first: number, direction: (layer: number) => Float32Array) =>
    new Map(
      Array.from(
        { length: layerCount - first },
        (_, i) => [first + i, direction(first + i)] as const,
      ),
    );
  return {
    topic,
    sea: { directions: from(1, () => topic.direction) },
    cheerfulAbove: {
      directions: from(
        TOPIC_READ_LAYER + 1,
        (layer) => cheerful.directions.get(layer) as Float32Array,
      ),
    },
  };
}
