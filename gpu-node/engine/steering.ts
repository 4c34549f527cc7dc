// Steering: a set of (control vector, multiplier) pairs, summed per layer into the one buffer that
// llama.cpp adds to the layer outputs. A control vector holds Float32 directions keyed by the 0-based
// index of the layer whose output they are added to (llama.cpp's and repeng's convention).
import { createHash } from "node:crypto";
import type { ControlVector } from "../../shared/control-vector.ts";
import { EngineError } from "./errors.ts";
import type { NativeControlVector } from "./native.ts";

export interface SteeringTerm {
  vector: ControlVector;
  multiplier: number;
}

export type Steering = readonly SteeringTerm[];

/** What llama.cpp takes: one buffer of (layerCount - 1) rows, row i for layer i + 1, and the
 * range of layers the vectors define (only those are touched). */
export interface ComposedSteering extends NativeControlVector {
  /** Equal vectors, equal keys: requests with the same key can share a decode batch. */
  key: string;
}

export interface ModelShape {
  layerCount: number;
  embeddingSize: number;
}

/**
 * Sums multiplier x direction per layer. Returns null when nothing steers (no terms, or every
 * multiplier zero), so that a zero multiplier runs exactly the unsteered computation.
 */
export function composeSteering(steering: Steering, shape: ModelShape): ComposedSteering | null {
  const active = steering.filter((term, i) => checkMultiplier(term.multiplier, i) !== 0);
  if (active.length === 0) return null;
  const { layerCount, embeddingSize } = shape;
  const buffer = new Float32Array((layerCount - 1) * embeddingSize);
  active.forEach((term, i) => {
    if (term.vector.directions.size === 0) {
      throw new EngineError(
        "invalid_request",
        "a control vector needs at least one direction",
        `steering[${i}].vector`,
      );
    }
    for (const [layer, direction] of term.vector.directions) {
      checkDirection(layer, direction, shape, i);
      const row = buffer.subarray((layer - 1) * embeddingSize, layer * embeddingSize);
      for (let j = 0; j < embeddingSize; j++)
        row[j] = (row[j] ?? 0) + term.multiplier * (direction[j] ?? 0);
    }
  });
  const layers = active.flatMap((term) => [...term.vector.directions.keys()]);
  const firstLayer = Math.min(...layers);
  const lastLayer = Math.max(...layers);
  const key = createHash("sha256")
    .update(`${firstLayer}-${lastLayer}:`)
    .update(new Uint8Array(buffer.buffer))
    .digest("hex");
  return { buffer, firstLayer, lastLayer, key };
}

function checkMultiplier(multiplier: number, index: number): number {
  if (!Number.isFinite(multiplier)) {
    throw new EngineError(
      "invalid_multiplier",
      `steering multiplier must be a finite number, got ${multiplier}`,
      `steering[${index}].multiplier`,
    );
  }
  return multiplier;
}

function checkDirection(layer: number, direction: Float32Array, shape: ModelShape, index: number) {
  const param = `steering[${index}].vector`;
  if (!Number.isInteger(layer) || layer < 1 || layer >= shape.layerCount) {
    throw new EngineError(
      "layer_out_of_range",
      `control vector layer ${layer} is out of range: this model steers layers 1 to ${shape.layerCount - 1}`,
      param,
    );
  }
  if (direction.length !== shape.embeddingSize) {
    throw new EngineError(
      "control_vector_width",
      `control vector layer ${layer} has ${direction.length} values, the model's width is ${shape.embeddingSize}`,
      param,
    );
  }
  if (!direction.every(Number.isFinite)) {
    throw new EngineError(
      "invalid_request",
      `control vector layer ${layer} holds non-finite values`,
      param,
    );
  }
}
