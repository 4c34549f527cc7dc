// A conditional steering term's condition, between decodes. The native condition gates
// (condition-gates.h) read and decide inside the forward pass; a ConditionGate keeps what they need
// from one decode to the next: the sum of the prompt's states read so far, the window of generated
// tokens a re-check averages over, and whether it fired.
//
// The lane reads a prompt whose condition is pending in one decode when it fits a batch, so that a
// condition that fires steers the whole prompt at the layers above its own, in that decode, as
// plain steering would (and a term whose layers all lie above the condition's steers exactly as
// plain steering does). A prompt longer than a batch is read in chunks: its condition is decided
// on the last, which alone is steered; every token generated after it is steered in full.
import type { ControlVector, ModelShape } from "../../shared/control-vector.ts";
import { DEFAULT_CONDITION_WINDOW, MAX_CONDITION_WINDOW } from "../../shared/limits.ts";
import { EngineError } from "./errors.ts";
import type { NativeCondition, NativeConditionResult } from "./native.ts";
import type { ComposedSteering } from "./steering.ts";

export interface Condition {
  /** The vector whose direction at `layer` is read. */
  vector: ControlVector;
  /** Default: the middle of the vector's layers. */
  layer?: number;
  /** Exactly one of above and below: a cosine, -1 to 1. */
  above?: number;
  below?: number;
  /** Re-check while generating, over the last `window` generated tokens. */
  during?: boolean;
  window?: number;
}

export interface ConditionReport {
  layer: number;
  above?: number;
  below?: number;
  /** The prompt's cosine (null only for a request cancelled before its prompt was read). */
  projection: number | null;
  fired: boolean;
  /** The first completion token drawn under its steering; null when it never fired. */
  firedAtToken: number | null;
  /** Re-checked while generating: the window's cosine where it fired, else the last one. */
  windowProjection?: number | null;
}

/** Where a batch's tokens of a request are in its life: its prompt's chunk (ending it or not), or
 * the token it generated last. */
export type BatchPhase = { prompt: true; promptEnds: boolean } | { prompt: false };

export class ConditionGate {
  readonly layer: number;
  readonly threshold: number;
  readonly above: boolean;
  private readonly direction: Float32Array;
  private readonly during: boolean;
  private readonly window: number;
  /** The prompt's states read so far, summed. */
  private readonly promptSum: Float32Array;
  /** The last generated tokens' states, oldest first (at most window - 1 kept between decodes). */
  private readonly recent: Float32Array[] = [];
  private asked: BatchPhase | null = null;
  fired = false;
  firedAtToken: number | null = null;
  projection: number | null = null;
  windowProjection: number | null = null;

  constructor(
    condition: Condition,
    /** What it adds once it fires: its term alone (null: a zero multiplier, nothing). */
    readonly vector: ComposedSteering | null,
    shape: ModelShape,
    param: string,
  ) {
    this.layer = conditionLayer(condition, shape, param);
    this.direction = condition.vector.directions.get(this.layer) as Float32Array;
    if (!this.direction.some((value) => value !== 0)) {
      const message = `the vector's direction at layer ${this.layer} is zero: there is nothing to read`;
      throw new EngineError("invalid_request", message, `${param}.layer`);
    }
    const { threshold, above } = conditionThreshold(condition, param);
    this.threshold = threshold;
    this.above = above;
    this.during = condition.during ?? false;
    this.window = condition.window ?? DEFAULT_CONDITION_WINDOW;
    if (!Number.isInteger(this.window) || this.window < 1 || this.window > MAX_CONDITION_WINDOW) {
      const message = `window must be an integer from 1 to ${MAX_CONDITION_WINDOW}`;
      throw new EngineError("invalid_request", message, `${param}.window`);
    }
    this.promptSum = new Float32Array(shape.embeddingSize);
  }

  /** What a decode holding the request's `tokens` (batch rows) asks of this gate; null: nothing. */
  ask(tokens: number[], phase: BatchPhase): NativeCondition | null {
    this.asked = null;
    if (this.fired) return null;
    if (!phase.prompt && !(this.during && this.projection !== null)) return null;
    this.asked = phase;
    const prior = phase.prompt ? this.promptSum : sum(this.recent, this.promptSum.length);
    return {
      layer: this.layer,
      direction: this.direction,
      tokens: Int32Array.from(tokens),
      prior,
      decide: phase.prompt ? phase.promptEnds : this.recent.length + 1 >= this.window,
      threshold: this.threshold,
      above: this.above,
      vector: this.vector,
    };
  }

  /** What that decode found; `drawn` completion tokens had been drawn before it. True: it fired. */
  learn(result: NativeConditionResult, drawn: number): boolean {
    const phase = this.asked;
    this.asked = null;
    if (!phase) return false;
    if (phase.prompt) {
      this.promptSum.set(this.promptSum.map((value, i) => value + (result.read[i] as number)));
      if (!phase.promptEnds) return false;
      this.projection = result.value;
    } else {
      this.recent.push(result.read);
      const decided = this.recent.length >= this.window;
      if (decided) this.recent.shift();
      if (!decided) return false;
      this.windowProjection = result.value;
    }
    if (!result.fired) return false;
    this.fired = true;
    this.firedAtToken = drawn;
    return true;
  }

  report(): ConditionReport {
    return {
      layer: this.layer,
      ...(this.above ? { above: this.threshold } : { below: this.threshold }),
      projection: this.projection,
      fired: this.fired,
      firedAtToken: this.firedAtToken,
      ...(this.during ? { windowProjection: this.windowProjection } : {}),
    };
  }
}

/**
 * The layer a condition reads: the one it names, else the middle of its vector's layers. The last
 * layer's output holds only the tokens that produce logits, so a condition cannot read it.
 */
function conditionLayer(condition: Condition, shape: ModelShape, param: string): number {
  const layers = [...condition.vector.directions.keys()].sort((a, b) => a - b);
  const layer = condition.layer ?? (layers[Math.floor((layers.length - 1) / 2)] as number);
  const field = `${param}.layer`;
  if (!Number.isInteger(layer) || layer < 1 || layer > shape.layerCount - 2) {
    const message = `a condition reads a layer from 1 to ${shape.layerCount - 2} (the last layer's output holds only the tokens with logits), not ${layer}`;
    throw new EngineError("layer_out_of_range", message, field);
  }
  if (!condition.vector.directions.has(layer)) {
    const message = `the vector read has no direction at layer ${layer}; its layers: ${layers.join(", ")}`;
    throw new EngineError("layer_out_of_range", message, field);
  }
  return layer;
}

function conditionThreshold(condition: Condition, param: string) {
  const { above, below } = condition;
  if ((above === undefined) === (below === undefined)) {
    throw new EngineError("invalid_request", "give one of above and below", `${param}.above`);
  }
  const threshold = (above ?? below) as number;
  if (!Number.isFinite(threshold) || threshold < -1 || threshold > 1) {
    const field = `${param}.${above === undefined ? "below" : "above"}`;
    throw new EngineError("invalid_request", "a threshold is a cosine, from -1 to 1", field);
  }
  return { threshold, above: above !== undefined };
}

function sum(states: readonly Float32Array[], width: number): Float32Array {
  const total = new Float32Array(width);
  for (const state of states) total.set(total.map((value, i) => value + (state[i] as number)));
  return total;
}
