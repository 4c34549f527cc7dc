export {
  type ReferenceForwardOptions,
  type ReferenceForwardResult,
  referenceForward,
} from "./forward.ts";
export { softmax } from "./math.ts";
export {
  type LlamaHyperparameters,
  loadReferenceModel,
  loadReferenceModelFile,
  type ReferenceLayer,
  type ReferenceModel,
} from "./model.ts";
