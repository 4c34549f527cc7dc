// Every way a request can be wrong gets its own error code, so callers (the CLI, the HTTP server)
// can answer precisely. None of these leave the engine in a bad state: it keeps serving.

export type EngineErrorCode =
  | "model_not_found"
  | "model_invalid"
  | "invalid_request"
  | "control_vector_width"
  | "layer_out_of_range"
  | "invalid_multiplier"
  | "context_overflow"
  | "engine_closed";

export class EngineError extends Error {
  override name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The request field at fault, when there is one. */
    readonly param?: string,
  ) {
    super(message);
  }
}
