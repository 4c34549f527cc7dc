// A condition's calibration on the node (shared/node-api/conditions.ts): the examples read as chat
// prompts, their mean states at every candidate layer (measure.ts), the best layer and threshold
// (calibrate.ts), and the chosen layer's direction stored as a one-layer control vector.
import type { z } from "zod";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import type { Calibration, calibrationRequestSchema } from "../../shared/node-api/conditions.ts";
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import { candidateLayers, steerableLayers } from "../extraction/layer-choice.ts";
import type { VectorStore } from "../server/vector-store.ts";
import { calibrateLayer, chooseLayer, layerReport } from "./calibrate.ts";
import { meanStates } from "./measure.ts";

type CalibrationInput = z.output<typeof calibrationRequestSchema>;

export async function calibrateCondition(
  engine: Engine,
  store: VectorStore,
  request: CalibrationInput,
): Promise<Calibration> {
  const { layerCount, architecture } = engine.model.metadata;
  const layers = request.layers
    ? steerableLayers(request.layers, layerCount)
    : candidateLayers(layerCount);
  const shouldFire = prompts(engine, request.should_fire, "should_fire");
  const shouldNotFire = prompts(engine, request.should_not_fire, "should_not_fire");
  const means = await meanStates(engine, [...shouldFire, ...shouldNotFire], layers);
  const results = layers.map((layer) => {
    const states = means.get(layer) ?? [];
    return calibrateLayer({
      layer,
      shouldFire: states.slice(0, shouldFire.length),
      shouldNotFire: states.slice(shouldFire.length),
    });
  });
  const chosen = chooseLayer(results);
  if (!chosen) {
    throw new ApiError(
      400,
      "the examples that should fire and those that should not read the same at every candidate layer: no direction parts them",
      "examples_indistinct",
      "should_not_fire",
    );
  }
  const directions = new Map([[chosen.layer, Float32Array.from(chosen.direction)]]);
  const stored = await store.put(encodeControlVector({ directions, modelHint: architecture }));
  const { comparator, threshold, f1, precision, recall } = chosen.best;
  const promptTokens = [...shouldFire, ...shouldNotFire].reduce((n, t) => n + t.length, 0);
  return {
    object: "condition_calibration",
    vector: stored.id,
    layer: chosen.layer,
    comparator,
    threshold,
    f1,
    precision,
    recall,
    layers: results.map(layerReport),
    usage: { prompt_tokens: promptTokens },
  };
}

/**
 * Each example as a chat request's prompt tokens: a user message, the assistant's turn opened.
 * One that does not fit the model's context is a 400 naming it.
 */
function prompts(engine: Engine, examples: readonly string[], field: string): number[][] {
  return examples.map((content, i) => {
    let tokens: number[];
    try {
      tokens = engine.model.tokenizeChat([{ role: "user", content }]);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      throw new ApiError(400, error.message, error.code, field);
    }
    if (tokens.length > engine.contextSize) {
      throw new ApiError(
        400,
        `${field}[${i}] is ${tokens.length} tokens as a prompt; the context holds ${engine.contextSize}`,
        "context_length_exceeded",
        `${field}[${i}]`,
      );
    }
    return tokens;
  });
}
