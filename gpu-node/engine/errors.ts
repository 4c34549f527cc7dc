// Every way a request can be wrong gets its own error code, so callers (the CLI, the HTTP server)
// can answer precisely. None of these leave the engine in a bad state: it keeps serving.
import type { VectorProblem } from "../../shared/control-vector.ts";

export type EngineErrorCode =
  | "model_not_found"
  | "model_invalid"
  | "invalid_request"
  /** A vector or a layer that does not fit the model: shared/control-vector.ts's codes. */
  | VectorProblem["code"]
  | "invalid_multiplier"
  | "context_overflow"
  | "engine_closed"
  /** The backend asked for cannot run here (no CUDA device, a decode that fails). */
  | "backend_unavailable";

export class EngineError extends Error {
  override name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The engine option at fault, when there is one (e.g. "sampling.topP", "steering[0].vector"). */
    readonly param?: string,
  ) {
    super(message);
  }
}
