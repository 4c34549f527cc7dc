// LAT extraction (Representation Engineering's method, as repeng implements it): capture the
// hidden state at the last token of every positive and negative text (dataset.ts), then at each
// layer take the direction that separates the pairs (methods.ts), signed so that the positive side
// is up, and measured (report.ts). Which layers: by default those where the trait reads best,
// measured first (layer-choice.ts).
//
// Directions are written at unit length, as repeng writes them: a request's multiplier is then
// the distance moved along the direction in the residual stream's units, and each layer's
// meanGap says how far apart the examples themselves lie, a natural scale for it.
import type { ControlVector } from "../../shared/control-vector.ts";
import { MAX_MEASURED_PAIRS } from "../../shared/limits.ts";
import type { ExtractionMethod } from "../../shared/node-api/extractions.ts";
import type { LayerChoice, LayerSelection } from "../../shared/node-api/layers.ts";
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import type { ContrastPair } from "./dataset.ts";
import { chooseBand, measuredPairs, measureLayer, planLayers } from "./layer-choice.ts";
import { isExtractionMethod, methodDirection } from "./methods.ts";
import { type LayerReport, measure, orient } from "./report.ts";

export interface ExtractOptions {
  /** Default "pca". */
  method?: ExtractionMethod;
  /**
   * Which layers the vector steers: left out, chosen by measurement (layer-choice.ts); "band",
   * the fixed upper-middle band; or these layers, each 1 to layerCount - 1.
   */
  layers?: LayerSelection;
  /** Pairs captured so far, of all of them. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Extraction {
  /** A unit direction per layer. */
  vector: ControlVector;
  /** Per layer of the vector, in layer order. */
  report: LayerReport[];
  /** Which layers, and why. */
  choice: LayerChoice;
}

/** Pairs per capture call: bounds the captured states held at once. */
const PAIRS_PER_CAPTURE = 512;

/** Layer -> the pairs' differences positive - negative at the last token, a row per pair. */
type Differences = Map<number, Float32Array>;

export async function extractControlVector(
  engine: Engine,
  pairs: readonly ContrastPair[],
  options: ExtractOptions = {},
): Promise<Extraction> {
  const method = options.method ?? "pca";
  if (!isExtractionMethod(method))
    throw new EngineError("invalid_request", `unknown method ${JSON.stringify(method)}`, "method");
  const { layerCount, embeddingSize: width, architecture } = engine.model.metadata;
  const plan = planLayers(options.layers, layerCount, pairs.length);
  if (pairs.length === 0)
    throw new EngineError("invalid_request", "give at least one pair", "pairs");

  const capture = new Capture(engine, pairs.length, options);
  const { choice, differences } =
    plan.by === "measurement"
      ? await measureThenCapture(capture, pairs, plan.layers, method, layerCount)
      : {
          choice: { ...plan, scores: null },
          differences: await capture.differences(pairs, plan.layers),
        };
  const directions = new Map<number, Float32Array>();
  const report = choice.layers.map((layer) => {
    const rows = differences.get(layer) as Float32Array;
    const found = methodDirection(method, rows, width);
    if (found === null) throw noDirection(method, layer);
    const direction = orient(found, rows, width);
    directions.set(layer, Float32Array.from(direction));
    return measure(layer, direction, rows, width);
  });
  return { vector: { directions, modelHint: architecture }, report, choice };
}

/**
 * Measures every candidate layer on a sample of the pairs (all of them, up to
 * MAX_MEASURED_PAIRS), chooses the band, then captures the other pairs at the band alone: each
 * pair is captured once.
 */
async function measureThenCapture(
  capture: Capture,
  pairs: readonly ContrastPair[],
  candidates: number[],
  method: ExtractionMethod,
  layerCount: number,
): Promise<{ choice: LayerChoice; differences: Differences }> {
  const width = capture.width;
  const sampled = new Set(measuredPairs(pairs.length, MAX_MEASURED_PAIRS));
  const sample = pairs.filter((_, i) => sampled.has(i));
  const measured = await capture.differences(sample, candidates);
  const scores = candidates.map((layer) =>
    measureLayer(method, layer, measured.get(layer) as Float32Array, width),
  );
  const choice = chooseBand(scores, layerCount);
  if (!choice.layers.every((layer) => measured.has(layer))) {
    // No layer read the trait, and the fixed band reaches past the candidates: capture it anew.
    capture.total += pairs.length;
    return { choice, differences: await capture.differences(pairs, choice.layers) };
  }
  const rest = await capture.differences(
    pairs.filter((_, i) => !sampled.has(i)),
    choice.layers,
  );
  const differences: Differences = new Map(
    choice.layers.map((layer) => {
      const rows = new Float32Array(pairs.length * width);
      rows.set(measured.get(layer) as Float32Array);
      rows.set(rest.get(layer) as Float32Array, sample.length * width);
      return [layer, rows];
    }),
  );
  return { choice, differences };
}

/** Captures pairs' differences in turns, reporting progress over the whole extraction. */
class Capture {
  /** Pairs captured so far. */
  private done = 0;

  constructor(
    private readonly engine: Engine,
    /** Pairs to capture in all. */
    public total: number,
    private readonly options: ExtractOptions,
  ) {}

  get width(): number {
    return this.engine.model.metadata.embeddingSize;
  }

  async differences(pairs: readonly ContrastPair[], layers: number[]): Promise<Differences> {
    const width = this.width;
    const differences: Differences = new Map(
      layers.map((layer) => [layer, new Float32Array(pairs.length * width)]),
    );
    for (let start = 0; start < pairs.length; start += PAIRS_PER_CAPTURE) {
      const chunk = pairs.slice(start, start + PAIRS_PER_CAPTURE);
      const captured = await this.engine.captureTokens(
        chunk.flatMap((pair) => [pair.positive, pair.negative]),
        {
          layers,
          signal: this.options.signal,
          onProgress: (texts) =>
            this.options.onProgress?.(this.done + start + Math.floor(texts / 2), this.total),
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
    this.done += pairs.length;
    return differences;
  }
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
