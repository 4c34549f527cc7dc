// Control-vector files that are wrong in ways a reader must refuse without failing itself.
import { encodeGguf, GgmlType, ggufScalar } from "../../shared/gguf/index.ts";

/** A well-formed GGUF whose general.architecture is a number, where a name belongs. */
export function numberedArchitecture(): Uint8Array {
  return encodeGguf({
    metadata: new Map([["general.architecture", ggufScalar("uint32", 7)]]),
    tensors: [{ name: "direction.1", shape: [1], type: GgmlType.F32, data: Float32Array.of(1) }],
  });
}
