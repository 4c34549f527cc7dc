// Steering: a set of (control vector, multiplier) pairs, summed per layer (mixVectors) into the one
// buffer that llama.cpp adds to the layer outputs. A control vector holds Float32 directions keyed
// by the 0-based index of the layer whose output they are added to (llama.cpp's and repeng's
// convention); which layers a model steers is shared/control-vector.ts's rule.
import { createHash } from "node:crypto";
import { type ModelShape, vectorProblem } from "../../shared/control-vector.ts";
import { mixVectors, type WeightedVector } from "../../shared/control-vector-math.ts";
import { EngineError } from "./errors.ts";
import type { NativeControlVector } from "./native.ts";

export type SteeringTerm = WeightedVector;

export type Steering = readonly SteeringTerm[];

/** What llama.cpp takes: one buffer of (layerCount - 1) rows, row i for layer i + 1, and the
 * range of layers the vectors define (only those are touched). */
export interface ComposedSteering extends NativeControlVector {
  /** Equal vectors, equal keys: requests with the same key can share a decode batch. */
  key: string;
}

/**
 * Sums multiplier x direction per layer. Returns null when nothing steers (no terms, or every
 * multiplier zero), so that a zero multiplier runs exactly the unsteered computation.
 */
export function composeSteering(steering: Steering, shape: ModelShape): ComposedSteering | null {
  steering.forEach((term, i) => {
    checkTerm(term, shape, i);
  });
  const active = steering.filter((term) => term.multiplier !== 0);
  if (active.length === 0) return null;
  const { directions } = mixVectors(active);
  const { embeddingSize } = shape;
  const buffer = new Float32Array((shape.layerCount - 1) * embeddingSize);
  for (const [layer, direction] of directions) buffer.set(direction, (layer - 1) * embeddingSize);
  // mixVectors gives the layers in ascending order.
  const layers = [...directions.keys()];
  const firstLayer = layers[0] as number;
  const lastLayer = layers.at(-1) as number;
  const key = createHash("sha256")
    .update(`${firstLayer}-${lastLayer}:`)
    .update(new Uint8Array(buffer.buffer))
    .digest("hex");
  return { buffer, firstLayer, lastLayer, key };
}

/** A term the engine can add: a finite multiplier, and a vector that can steer the model. */
function checkTerm({ vector, multiplier }: SteeringTerm, shape: ModelShape, index: number): void {
  if (!Number.isFinite(multiplier)) {
    throw new EngineError(
      "invalid_multiplier",
      `steering multiplier must be a finite number, got ${multiplier}`,
      `steering[${index}].multiplier`,
    );
  }
  const param = `steering[${index}].vector`;
  if (vector.directions.size === 0) {
    throw new EngineError(
      "invalid_request",
      "a control vector needs at least one direction",
      param,
    );
  }
  // Its layers, width and norms (finite ones only), as the node and the edge check them.
  const problem = vectorProblem(vector, shape);
  if (problem) throw new EngineError(problem.code, problem.message, param);
}
