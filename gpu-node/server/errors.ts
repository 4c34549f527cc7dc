// The node's errors as HTTP answers: the shared ApiError, plus what the engine throws.
import type { Context } from "hono";
import { ApiError } from "../../shared/http/api-error.ts";
import { EngineError } from "../engine/errors.ts";

/** Engine parameter names as the HTTP request spells them. */
const ENGINE_PARAMS: Record<string, string> = {
  prompt: "messages",
  maxNewTokens: "max_tokens",
  "sampling.temperature": "temperature",
  "sampling.topP": "top_p",
  "sampling.topK": "top_k",
  "sampling.minP": "min_p",
  "sampling.repetitionPenalty": "repetition_penalty",
  "sampling.seed": "seed",
};

export function fromEngineError(error: EngineError): ApiError {
  const param = error.param?.startsWith("steering")
    ? "steering"
    : (ENGINE_PARAMS[error.param ?? ""] ?? error.param ?? null);
  if (error.code === "context_overflow") {
    return new ApiError(400, error.message, "context_length_exceeded", "messages");
  }
  if (error.code === "engine_closed") return new ApiError(503, error.message, error.code);
  return new ApiError(400, error.message, error.code, param);
}

export function errorResponse(c: Context, error: unknown): Response {
  const api = toApiError(error);
  if (api.status >= 500 && !(error instanceof ApiError)) console.error(error);
  return api.response(c);
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EngineError) return fromEngineError(error);
  return new ApiError(500, "internal server error", "internal_error");
}
