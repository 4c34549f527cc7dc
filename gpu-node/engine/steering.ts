// Steering: a set of (control vector, multiplier) pairs, summed per layer (mixVectors) into the one
// buffer that llama.cpp adds to the layer outputs. A control vector holds Float32 directions keyed
// by the 0-based index of the layer whose output they are added to (llama.cpp's and repeng's
// convention); which layers a model steers is shared/control-vector.ts's rule. A term may be
// conditional (conditions.ts): a generation adds it only once its condition fires.
import { createHash } from "node:crypto";
import { type ModelShape, vectorProblem } from "../../shared/control-vector.ts";
import { mixVectors, type WeightedVector } from "../../shared/control-vector-math.ts";
import { type Condition, ConditionGate, type ConditionReport } from "./conditions.ts";
import { EngineError } from "./errors.ts";
import type { NativeControlVector } from "./native.ts";

export type SteeringTerm = WeightedVector & {
  /** Only a generation's terms may have one: added once it fires. */
  when?: Condition;
};

export type Steering = readonly SteeringTerm[];

/** What a generation's answer says of one term: the multiplier it applied, and its condition. */
export interface TermReport {
  multiplier: number;
  condition?: ConditionReport;
}

/**
 * A generation's steering as it stands: its plain terms from the first token, and each conditional
 * term from where its condition fired on (the lane asks and tells the gates, decode by decode).
 */
export class GenerationSteering {
  /** What the lane adds to every token of the request now. */
  composed: ComposedSteering | null;
  /** Per term, its gate (null: a plain term). */
  private readonly gateOf: (ConditionGate | null)[];

  constructor(
    private readonly terms: Steering,
    private readonly shape: ModelShape,
  ) {
    terms.forEach((term, i) => {
      checkTerm(term, shape, i);
    });
    this.gateOf = terms.map((term, i) =>
      term.when
        ? new ConditionGate(term.when, composeTerms([term], shape), shape, `steering[${i}].when`)
        : null,
    );
    this.composed = this.compose();
  }

  get gates(): ConditionGate[] {
    return this.gateOf.filter((gate) => gate !== null);
  }

  /** Whether a condition is still to read the prompt: best read whole, in one decode. */
  get readsPrompt(): boolean {
    return this.gates.some((gate) => gate.projection === null && !gate.fired);
  }

  /** A gate fired: its term joins the steering, from the next decode on. */
  recompose(): void {
    this.composed = this.compose();
  }

  /** Per term, in the order given; empty when the request did not steer. */
  report(): TermReport[] {
    return this.terms.map((term, i) => {
      const gate = this.gateOf[i];
      if (!gate) return { multiplier: term.multiplier };
      return { multiplier: gate.fired ? term.multiplier : 0, condition: gate.report() };
    });
  }

  private compose(): ComposedSteering | null {
    return composeTerms(
      this.terms.filter((_, i) => this.gateOf[i]?.fired ?? true),
      this.shape,
    );
  }
}

/** What llama.cpp takes: one buffer of (layerCount - 1) rows, row i for layer i + 1, and the
 * range of layers the vectors define (only those are touched). */
export interface ComposedSteering extends NativeControlVector {
  /** Equal vectors, equal keys: requests with the same key can share a decode batch. */
  key: string;
}

/**
 * Sums multiplier x direction per layer: a steering with no conditions (a capture's, an
 * evaluation's). Returns null when nothing steers (no terms, or every multiplier zero), so that a
 * zero multiplier runs exactly the unsteered computation.
 */
export function composeSteering(steering: Steering, shape: ModelShape): ComposedSteering | null {
  steering.forEach((term, i) => {
    checkTerm(term, shape, i);
    if (term.when) {
      const message = "only a generation's steering may be conditional";
      throw new EngineError("invalid_request", message, `steering[${i}].when`);
    }
  });
  return composeTerms(steering, shape);
}

/** The terms' sum, as llama.cpp takes it; null when nothing steers. */
function composeTerms(steering: Steering, shape: ModelShape): ComposedSteering | null {
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
function checkTerm(
  { vector, multiplier, when }: SteeringTerm,
  shape: ModelShape,
  index: number,
): void {
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
  const read = when && vectorProblem(when.vector, shape);
  if (read) throw new EngineError(read.code, read.message, `steering[${index}].when.vector`);
}
