// The test model's planted trait as a control vector: its direction, at the norm that steers
// clearly, on every layer llama.cpp steers (1 to layerCount - 1).
import type { ControlVector } from "../../shared/control-vector.ts";
import type { PlantedConcept } from "./concept.ts";

export function plantedControlVector(concept: PlantedConcept, layerCount: number): ControlVector {
  const direction = concept.direction.map((x) => x * concept.steeringNorm);
  const directions = new Map<number, Float32Array>();
  for (let layer = 1; layer < layerCount; layer++) directions.set(layer, direction);
  return { directions, modelHint: "llama" };
}
