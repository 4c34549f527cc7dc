// LAT extraction (Representation Engineering's method, as repeng implements it): capture the
// hidden state at the last token of every positive and negative text (dataset.ts), then at each
// layer take the direction that separates the pairs (methods.ts), signed so that the positive side
// is up, and measured (report.ts).
//
// Directions are written at unit length, as repeng writes them: a request's multiplier is then
// the distance moved along the direction in the residual stream's units, and each layer's
// meanGap says how far apart the examples themselves lie, a natural scale for it.
import { type ControlVector, layerProblem } from "../../shared/control-vector.ts";
import type { ExtractionMethod } from "../../shared/node-api/extractions.ts";
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import type { ContrastPair } from "./dataset.ts";
import { isExtractionMethod, methodDirection } from "./methods.ts";
import { type LayerReport, measure, orient } from "./report.ts";

export interface ExtractOptions {
  /** Default "pca". */
  method?: ExtractionMethod;
  /** Layers to extract, each 1 to layerCount - 1. Default: defaultLayers(layerCount). */
  layers?: readonly number[];
  /** Pairs captured so far, of all of them. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Extraction {
  /** A unit direction per layer. */
  vector: ControlVector;
  /** Per layer, in layer order. */
  report: LayerReport[];
}

/** Pairs per capture call: bounds the captured states held at once. */
const PAIRS_PER_CAPTURE = 512;

export async function extractControlVector(
  engine: Engine,
  pairs: readonly ContrastPair[],
  options: ExtractOptions = {},
): Promise<Extraction> {
  const method = options.method ?? "pca";
  if (!isExtractionMethod(method))
    throw new EngineError("invalid_request", `unknown method ${JSON.stringify(method)}`, "method");
  const { layerCount, embeddingSize: width, architecture } = engine.model.metadata;
  const layers = steerableLayers(options.layers ?? defaultLayers(layerCount), layerCount);
  if (pairs.length === 0)
    throw new EngineError("invalid_request", "give at least one pair", "pairs");

  const differences = await captureDifferences(engine, pairs, layers, options);
  const directions = new Map<number, Float32Array>();
  const report = layers.map((layer) => {
    const rows = differences.get(layer) as Float32Array;
    const found = methodDirection(method, rows, width);
    if (found === null) throw noDirection(method, layer);
    const direction = orient(found, rows, width);
    directions.set(layer, Float32Array.from(direction));
    return measure(layer, direction, rows, width);
  });
  return { vector: { directions, modelHint: architecture }, report };
}

/**
 * repeng's choice, scaled to the model's depth: it steers layers -5 to -17 of a 32-layer model
 * (15 to 27), the upper middle of the stack, where traits are linear and not yet about the next
 * token alone.
 */
export function defaultLayers(layerCount: number): number[] {
  const first = Math.max(1, Math.round((layerCount * 15) / 32));
  const last = Math.max(first, Math.min(layerCount - 1, Math.round((layerCount * 27) / 32)));
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Layer -> the pairs' differences positive - negative at the last token, a row per pair. */
async function captureDifferences(
  engine: Engine,
  pairs: readonly ContrastPair[],
  layers: number[],
  options: ExtractOptions,
): Promise<Map<number, Float32Array>> {
  const width = engine.model.metadata.embeddingSize;
  const differences = new Map(
    layers.map((layer) => [layer, new Float32Array(pairs.length * width)]),
  );
  for (let start = 0; start < pairs.length; start += PAIRS_PER_CAPTURE) {
    const chunk = pairs.slice(start, start + PAIRS_PER_CAPTURE);
    const captured = await engine.captureTokens(
      chunk.flatMap((pair) => [pair.positive, pair.negative]),
      {
        layers,
        signal: options.signal,
        onProgress: (texts) => options.onProgress?.(start + Math.floor(texts / 2), pairs.length),
      },
    );
    for (const [layer, rows] of differences) {
      chunk.forEach((_, i) => {
        const positive = captured[2 * i]?.states.get(layer) as Float32Array;
        const negative = captured[2 * i + 1]?.states.get(layer) as Float32Array;
        const row = rows.subarray((start + i) * width, (start + i + 1) * width);
        row.set(positive.map((x, j) => x - (negative[j] as number)));
      });
    }
  }
  return differences;
}

/** The layers, sorted and without repeats, once each is checked to be steerable. */
export function steerableLayers(layers: readonly number[], layerCount: number): number[] {
  if (layers.length === 0)
    throw new EngineError("invalid_request", "choose at least one layer", "layers");
  for (const layer of layers) {
    const problem = layerProblem(layer, layerCount);
    if (problem) throw new EngineError(problem.code, problem.message, "layers");
  }
  return [...new Set(layers)].sort((a, b) => a - b);
}

function noDirection(method: ExtractionMethod, layer: number): EngineError {
  const sameStates = "the positive and negative texts have the same hidden states";
  const why: Record<ExtractionMethod, string> = {
    pca: sameStates,
    pca_center: sameStates,
    pca_diff: "every pair differs the same way, and pca_diff's centring removes that; use pca",
    mean_diff: "the differences positive - negative average to zero",
  };
  return new EngineError(
    "invalid_request",
    `${method} finds no direction at layer ${layer}: ${why[method]}`,
    "method",
  );
}
