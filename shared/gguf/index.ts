export { GgufError, type GgufErrorCode } from "./errors.ts";
export {
  type CodecTensorType,
  GgmlType,
  type GgmlTypeLayout,
  ggmlTypeLayout,
} from "./ggml-types.ts";
export { halfToNumber, numberToHalf } from "./half.ts";
export { getArray, getNumber, getScalar, ggufArray, ggufScalar } from "./metadata.ts";
export {
  elementCount,
  findTensor,
  type GgufFile,
  type GgufTensorInfo,
  parseGguf,
  readTensor,
} from "./reader.ts";
export * from "./types.ts";
export { encodeGguf, type GgufDocument, type GgufTensorInput, ggufChunks } from "./writer.ts";
