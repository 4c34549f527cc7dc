// Which layers a control vector steers: the rule, in one place.
//
// By default the layers come from the extraction itself, as Representation Engineering reads a
// trait where a probe reads it best. Every candidate layer is scored by how readable the trait is
// there, on pairs held out from the direction's fit, and the vector keeps the contiguous band
// around the best layer where the score stays near the best. Measured on the pairs it was fitted
// to, a direction flatters every layer: PCA finds whatever the pairs happen to share, and orders
// them by it. Held out, a layer where the pairs differ by the persona words' identity rather than
// by the trait orders them little better than chance, along a direction that explains little of
// how they differ. (On the test model's band trait, a layer without it orders 62-80% of the pairs
// it was fitted to with 37-55% of their variance, and reads 0.12-0.15 held out; its own layer
// reads 1.)
//
// The fixed band (repeng's upper middle of the stack) and layers a request names stay available.
import { layerProblem } from "../../shared/control-vector.ts";
import type { ExtractionMethod } from "../../shared/node-api/extractions.ts";
import {
  FIXED_BAND,
  type LayerChoice,
  type LayerChoiceBy,
  type LayerScore,
  type LayerSelection,
} from "../../shared/node-api/layers.ts";
import { EngineError } from "../engine/errors.ts";
import { methodDirection } from "./methods.ts";
import { dot, project } from "./pca.ts";
import { orient } from "./report.ts";

/**
 * The band keeps the layers whose readability is at least this share of the best layer's: probe
 * accuracy rises and falls smoothly through a model's stack (RepE's layer sweeps), and the layers
 * within 10% of the peak read the trait about as well as the peak does.
 */
export const BAND_SHARE = 0.9;

/** Pairs it takes to measure: two to fit a direction on, two to test it. */
export const MIN_MEASURED_PAIRS = 4;

/** What an extraction captures, and how the vector's layers are chosen among them. */
export interface LayerPlan {
  by: LayerChoiceBy;
  /** By measurement: the candidates, measured before the band is chosen; else the layers. */
  layers: number[];
  /** Why these (by measurement, the reason comes with the scores). */
  reason: string;
}

/**
 * The plan for a request's `layers` (left out: by measurement) on a model of `layerCount` layers
 * and an extraction of `pairCount` pairs. Named layers are checked: each must be steerable.
 */
export function planLayers(
  selection: LayerSelection | undefined,
  layerCount: number,
  pairCount: number,
): LayerPlan {
  if (Array.isArray(selection)) {
    const layers = steerableLayers(selection, layerCount);
    return { by: "request", layers, reason: "the layers the request named" };
  }
  const band = fixedBand(layerCount);
  const fixed = `the fixed band: the upper middle of the stack, repeng's layers 15-27 of 32 scaled to ${layerCount}`;
  if (selection === FIXED_BAND) return { by: "band", layers: band, reason: fixed };
  if (pairCount < MIN_MEASURED_PAIRS) {
    const why = `${pairCount} pairs are too few to measure layers on (it takes ${MIN_MEASURED_PAIRS}: half to fit a direction, half to test it)`;
    return { by: "band", layers: band, reason: `${fixed}, as ${why}` };
  }
  return { by: "measurement", layers: candidateLayers(layerCount), reason: "" };
}

/**
 * repeng's choice, scaled to the model's depth: it steers layers -5 to -17 of a 32-layer model
 * (15 to 27), the upper middle of the stack, where traits are linear and not yet about the next
 * token alone.
 */
export function fixedBand(layerCount: number): number[] {
  const first = Math.max(1, Math.round((layerCount * 15) / 32));
  const last = Math.max(first, Math.min(layerCount - 1, Math.round((layerCount * 27) / 32)));
  return range(first, last);
}

/**
 * The layers measurement chooses among: every layer llama.cpp steers (never layer 0) but the
 * last. The last layer's output feeds nothing but the logits of its own token: steering it is a
 * bias on the next word, not a change to the states later tokens are built from, and its state is
 * about that next word, so it reads a persona's words well without carrying the trait onward.
 */
export function candidateLayers(layerCount: number): number[] {
  return range(1, Math.max(1, layerCount - 2));
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

/**
 * How readable the trait is at one layer, from the pairs' differences d = positive - negative
 * there (a row each), by two-fold cross-validation: the method's direction fitted on one half of
 * the pairs, and signed on it, scores the other half, then the other way round, so every pair is
 * scored by a direction fitted without it. Two measures of those held-out pairs, combined:
 * - accuracy: the share whose d projects above 0 (0.5 is chance);
 * - explained variance: the share of their squared differences along the direction (1 when they
 *   differ along it alone; low when they differ in many ways, each pair its own).
 * readability = (2 x accuracy - 1, at least 0) x explained variance, 0 to 1: a layer must order
 * the held-out pairs and hold their difference in one direction, as a steering vector assumes.
 */
export function measureLayer(
  method: ExtractionMethod,
  layer: number,
  differences: Float32Array,
  width: number,
): LayerScore {
  const count = differences.length / width;
  const [first, second] = halves(count);
  let correct = 0;
  let along = 0;
  let total = 0;
  for (const [fit, heldOut] of [
    [first, second],
    [second, first],
  ] as const) {
    const fitRows = rowsAt(differences, width, fit);
    const heldOutRows = rowsAt(differences, width, heldOut);
    total += dot(heldOutRows, heldOutRows);
    const found = methodDirection(method, fitRows, width);
    if (found === null) continue;
    const gaps = project(heldOutRows, width, orient(found, fitRows, width));
    correct += gaps.filter((gap) => gap > 0).length;
    along += dot(gaps, gaps);
  }
  const accuracy = correct / count;
  const explainedVariance = total > 0 ? along / total : 0;
  return {
    layer,
    readability: Math.max(0, 2 * accuracy - 1) * explainedVariance,
    held_out_accuracy: accuracy,
    held_out_explained_variance: explainedVariance,
  };
}

/**
 * The band from the candidates' scores (one per layer, ascending and contiguous): the best layer,
 * grown a layer at a time toward the better neighbour while that neighbour reads at least
 * BAND_SHARE of the best, up to the fixed band's width; then, if narrower than the minimum width,
 * grown toward the better neighbour regardless. A band no wider than the fixed one keeps the
 * vector on layers that read the trait about equally; a minimum of a 16th of the stack spreads it
 * over a few layers on a deep model, as steering one layer of many takes a far larger multiplier.
 * When no layer reads the trait at all, the fixed band.
 */
export function chooseBand(scores: readonly LayerScore[], layerCount: number): LayerChoice {
  const readability = (i: number) => scores[i]?.readability ?? 0;
  const best = scores.reduce((top, _, i) => (readability(i) > readability(top) ? i : top), 0);
  const top = readability(best);
  if (!(top > 0)) {
    const reason = "the fixed band: no layer reads the trait on held-out pairs (readability 0)";
    return { by: "band", layers: fixedBand(layerCount), reason, scores: [...scores] };
  }
  const maxWidth = fixedBand(layerCount).length;
  const minWidth = Math.min(maxWidth, Math.max(1, Math.round(layerCount / 16)));
  const band = new Band(scores, best);
  const near = (i: number) => readability(i) >= BAND_SHARE * top;
  band.growWhile(near, maxWidth);
  const notes: string[] = [];
  if (band.next(near) !== undefined)
    notes.push(`at most ${maxWidth} layers, the fixed band's width`);
  if (band.width < minWidth) notes.push(`widened to the minimum of ${minWidth}`);
  band.growWhile(() => true, minWidth);
  const layers = band.layers();
  return {
    by: "measurement",
    layers,
    reason: bandReason(scores, layers, best, notes),
    scores: [...scores],
  };
}

/** A contiguous run of the candidates' scores, grown a neighbour at a time. */
class Band {
  private first: number;
  private last: number;

  constructor(
    private readonly scores: readonly LayerScore[],
    start: number,
  ) {
    this.first = start;
    this.last = start;
  }

  get width(): number {
    return this.last - this.first + 1;
  }

  /** The better-reading of the two neighbours that `take` accepts, if any. */
  next(take: (i: number) => boolean): number | undefined {
    const readability = (i: number) => this.scores[i]?.readability ?? 0;
    return [this.first - 1, this.last + 1]
      .filter((i) => i >= 0 && i < this.scores.length && take(i))
      .sort((a, b) => readability(b) - readability(a))[0];
  }

  /** Adds the better neighbour `take` accepts while there is one and the band is under `limit`. */
  growWhile(take: (i: number) => boolean, limit: number): void {
    for (let i = this.next(take); i !== undefined && this.width < limit; i = this.next(take)) {
      this.first = Math.min(this.first, i);
      this.last = Math.max(this.last, i);
    }
  }

  layers(): number[] {
    return this.scores.slice(this.first, this.last + 1).map((score) => score.layer);
  }
}

function bandReason(
  scores: readonly LayerScore[],
  layers: number[],
  best: number,
  notes: string[],
): string {
  const bestScore = scores[best] as LayerScore;
  const span = layers.length === 1 ? `layer ${layers[0]}` : `layers ${layers[0]}-${layers.at(-1)}`;
  const outside = scores.filter((score) => !layers.includes(score.layer));
  const elsewhere = outside.length
    ? `; ${Math.max(...outside.map((score) => score.readability)).toFixed(2)} at most elsewhere`
    : "";
  return (
    `the trait reads best on held-out pairs at layer ${bestScore.layer} (readability ` +
    `${bestScore.readability.toFixed(2)}); ${span} kept, reading within ` +
    `${Math.round(100 * (1 - BAND_SHARE))}% of it${notes.map((note) => `, ${note}`).join("")}` +
    elsewhere
  );
}

/**
 * The indices of `count` pairs in two halves, by the top bit of a golden-ratio hash of the index
 * (the Weyl sequence i x 0.618... mod 1): interleaved without a pattern, so that every persona
 * pair and every opener of a dataset lands in both halves, and deterministic. Pairs 0 and 1 fall
 * in different halves, so neither is empty from two pairs on.
 */
function halves(count: number): [number[], number[]] {
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < count; i++) (Math.imul(i, 0x9e3779b1) < 0 ? second : first).push(i);
  return [first, second];
}

function rowsAt(rows: Float32Array, width: number, indices: readonly number[]): Float32Array {
  const picked = new Float32Array(indices.length * width);
  indices.forEach((index, i) => {
    picked.set(rows.subarray(index * width, (index + 1) * width), i * width);
  });
  return picked;
}

/**
 * Which of `count` pairs measurement captures at every candidate layer: all of them up to `most`,
 * else `most` spread evenly over the dataset (whose pairs run opener by opener, persona pair by
 * persona pair), so the sample holds every part of it.
 */
export function measuredPairs(count: number, most: number): number[] {
  if (count <= most) return range(0, count - 1);
  return Array.from({ length: most }, (_, i) => Math.floor((i * count) / most));
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}
