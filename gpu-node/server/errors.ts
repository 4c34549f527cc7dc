// The node's errors as HTTP answers: the shared ApiError (shared/http/api-error.ts), plus what the
// engine throws. An engine error names an engine option (EngineError.param); the route whose
// request it came from says which field that was (engine-request.ts).
import type { Context } from "hono";
import { ApiError, toApiError } from "../../shared/http/api-error.ts";
import { EngineError } from "../engine/errors.ts";

/** `fieldOf` maps the engine's option to the request's field; by default they are the same. */
export function fromEngineError(
  error: EngineError,
  fieldOf: (param: string) => string = (param) => param,
): ApiError {
  const param = error.param === undefined ? null : fieldOf(error.param);
  if (error.code === "context_overflow") {
    return new ApiError(400, error.message, "context_length_exceeded", param);
  }
  if (error.code === "engine_closed") return new ApiError(503, error.message, error.code);
  return new ApiError(400, error.message, error.code, param);
}

export function errorResponse(c: Context, error: unknown): Response {
  const api = error instanceof EngineError ? fromEngineError(error) : toApiError(error);
  if (api.code === "internal_error") console.error(error);
  // A body too large is never read to its end: the connection cannot carry another request.
  if (api.status === 413) c.header("connection", "close");
  return api.response(c);
}
