// Control vectors, and their file format: llama.cpp's control-vector GGUF, as llama.cpp's loader
// (common_control_vector_load) and repeng's export_gguf/import_gguf read and write it:
//   general.architecture = "controlvector", controlvector.model_hint, controlvector.layer_count,
//   one 1-D F32 tensor `direction.N` per layer, N the 0-based index of the layer whose output the
//   direction is added to. Layer 0 is never steered by llama.cpp, so `direction.0` is refused.
// Whether a vector can steer a model (vectorProblem) is decided here once, for the edge, the node
// and the engine: its layers, its width, and its directions' norms.
import {
  encodeGguf,
  GgmlType,
  GgufError,
  type GgufMetadata,
  getScalar,
  ggufScalar,
  parseGguf,
  readTensor,
} from "./gguf/index.ts";
import { MAX_DIRECTION_NORM } from "./limits.ts";

export interface ControlVector {
  /** Layer index -> direction (one value per embedding dimension). */
  directions: ReadonlyMap<number, Float32Array>;
  /** The model the vector was made for (repeng writes its model_type, e.g. "llama"). */
  modelHint?: string;
}

/** A model's shape, as far as steering it goes. */
export interface ModelShape {
  layerCount: number;
  embeddingSize: number;
}

/** Why a vector, or a layer to extract, cannot steer a model. */
export interface VectorProblem {
  code: "layer_out_of_range" | "control_vector_width" | "control_vector_norm";
  message: string;
}

/** The steerable-layer rule: llama.cpp adds vectors to the outputs of layers 1 to layerCount - 1. */
export function layerProblem(layer: number, layerCount: number): VectorProblem | null {
  if (Number.isInteger(layer) && layer >= 1 && layer < layerCount) return null;
  return {
    code: "layer_out_of_range",
    message: `layer ${layer} cannot be steered: this model steers layers 1 to ${layerCount - 1}`,
  };
}

/**
 * Whether `vector` can steer a model of `shape`: every layer steerable, every direction as wide,
 * and of a finite norm no larger than MAX_DIRECTION_NORM.
 */
export function vectorProblem(vector: ControlVector, shape: ModelShape): VectorProblem | null {
  for (const [layer, direction] of vector.directions) {
    const problem =
      layerProblem(layer, shape.layerCount) ??
      widthProblem(layer, direction, shape.embeddingSize) ??
      normProblem(layer, direction);
    if (problem) return problem;
  }
  return null;
}

function widthProblem(layer: number, direction: Float32Array, width: number): VectorProblem | null {
  if (direction.length === width) return null;
  return {
    code: "control_vector_width",
    message: `layer ${layer}'s direction has ${direction.length} values; the model's width is ${width}`,
  };
}

/** A direction with NaN or infinite values, or one that would drown the layer's output. */
function normProblem(layer: number, direction: Float32Array): VectorProblem | null {
  let squares = 0;
  for (const value of direction) squares += value * value;
  const norm = Math.sqrt(squares);
  if (norm <= MAX_DIRECTION_NORM) return null;
  const found = Number.isFinite(norm)
    ? `has norm ${norm.toPrecision(3)}`
    : "holds values that are not finite numbers";
  return {
    code: "control_vector_norm",
    message: `direction.${layer} (layer ${layer}) ${found}; a direction's norm must be at most ${MAX_DIRECTION_NORM} (extraction writes unit directions)`,
  };
}

export const CONTROL_VECTOR_ARCHITECTURE = "controlvector";
const DIRECTION_NAME = /^direction\.(\d+)$/;

export class ControlVectorFormatError extends Error {
  override name = "ControlVectorFormatError";
}

/** Reads a control-vector GGUF. Every way a file can be wrong is a ControlVectorFormatError. */
export function parseControlVector(bytes: Uint8Array): ControlVector {
  const file = parseOrExplain(bytes);
  const architecture = optionalString(file.metadata, "general.architecture");
  if (architecture !== undefined && architecture !== CONTROL_VECTOR_ARCHITECTURE) {
    throw new ControlVectorFormatError(
      `not a control vector: the file's architecture is "${architecture}", not "${CONTROL_VECTOR_ARCHITECTURE}"`,
    );
  }
  const directions = new Map<number, Float32Array>();
  let width: number | undefined;
  for (const tensor of file.tensors) {
    const match = DIRECTION_NAME.exec(tensor.name);
    if (!match)
      throw new ControlVectorFormatError(
        `unexpected tensor "${tensor.name}": expected direction.N`,
      );
    const layer = Number(match[1]);
    if (layer === 0) throw new ControlVectorFormatError("direction.0: layer 0 cannot be steered");
    if (tensor.type !== GgmlType.F32)
      throw new ControlVectorFormatError(`${tensor.name} is not F32`);
    if (tensor.shape.length !== 1)
      throw new ControlVectorFormatError(`${tensor.name} is not one-dimensional`);
    const values = readTensor(file, tensor.name);
    width ??= values.length;
    if (values.length !== width) {
      throw new ControlVectorFormatError(
        `${tensor.name} has ${values.length} values, the others ${width}`,
      );
    }
    // llama.cpp adds up repeated layers; so do we. Their values are checked once summed
    // (vectorProblem): the sum may overflow where each part does not.
    const previous = directions.get(layer);
    directions.set(layer, previous ? previous.map((v, i) => v + (values[i] ?? 0)) : values);
  }
  if (directions.size === 0)
    throw new ControlVectorFormatError("the file holds no direction tensors");
  const modelHint = optionalString(file.metadata, "controlvector.model_hint");
  return modelHint === undefined ? { directions } : { directions, modelHint };
}

/** Writes a control-vector GGUF that llama.cpp and repeng read. */
export function encodeControlVector(vector: ControlVector): Uint8Array {
  const layers = [...vector.directions.keys()].sort((a, b) => a - b);
  if (layers.length === 0)
    throw new ControlVectorFormatError("a control vector needs at least one direction");
  if (layers.some((layer) => !Number.isInteger(layer) || layer < 1)) {
    throw new ControlVectorFormatError("direction layers must be integers >= 1");
  }
  const metadata: GgufMetadata = new Map([
    ["general.architecture", ggufScalar("string", CONTROL_VECTOR_ARCHITECTURE)],
    ["controlvector.model_hint", ggufScalar("string", vector.modelHint ?? "llama")],
    ["controlvector.layer_count", ggufScalar("uint32", layers.length)],
  ]);
  const tensors = layers.map((layer) => {
    const data = vector.directions.get(layer) as Float32Array;
    return { name: `direction.${layer}`, shape: [data.length], type: GgmlType.F32, data };
  });
  return encodeGguf({ metadata, tensors });
}

function parseOrExplain(bytes: Uint8Array) {
  try {
    return parseGguf(bytes);
  } catch (error) {
    if (error instanceof GgufError)
      throw new ControlVectorFormatError(`not a valid GGUF file: ${error.message}`);
    throw error;
  }
}

/** The string under `key`, if the file has one; another type there is a malformed control vector. */
function optionalString(metadata: GgufMetadata, key: string): string | undefined {
  if (!metadata.has(key)) return undefined;
  try {
    return getScalar(metadata, key, "string");
  } catch (error) {
    if (error instanceof GgufError) throw new ControlVectorFormatError(error.message);
    throw error;
  }
}
