// Errors as HTTP answers: every failure becomes OpenAI's error object with a fitting status.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { ApiErrorBody } from "../../shared/api/errors.ts";
import { EngineError } from "../engine/errors.ts";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly type = errorType(status),
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 404) return "not_found_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

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

/** "messages[0].role" from zod's path. */
export function paramPath(path: readonly PropertyKey[]): string | null {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || null;
}

export function fromZodError(error: ZodError): ApiError {
  const issue = error.issues[0];
  const param = issue ? paramPath(issue.path) : null;
  const message = issue ? `${param ?? "body"}: ${issue.message}` : "invalid request";
  return new ApiError(400, message, "invalid_request", param);
}

export function errorResponse(c: Context, error: unknown): Response {
  const api = toApiError(error);
  if (api.status >= 500 && !(error instanceof ApiError)) console.error(error);
  return c.json(api.body(), api.status);
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EngineError) return fromEngineError(error);
  return new ApiError(500, "internal server error", "internal_error");
}
