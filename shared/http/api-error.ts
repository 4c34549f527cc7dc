// Errors as HTTP answers, for the edge and the GPU node alike: every failure becomes OpenAI's error
// object (shared/openai/errors.ts) with a fitting status, naming the request field at fault.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { ApiErrorBody } from "../openai/errors.ts";

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

  response(c: Context): Response {
    return c.json(this.body(), this.status);
  }
}

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 409) return "conflict_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
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

/** The first issue, as a 400 naming its field: for a field the schema does not know, that field. */
export function fromZodError(error: ZodError): ApiError {
  const issue = error.issues[0];
  if (!issue) return new ApiError(400, "invalid request", "invalid_request");
  const { path, message, code } = innermost(issue);
  if (code === "unrecognized_keys") {
    const param = paramPath(path);
    return new ApiError(400, `${param}: unknown field`, "unknown_field", param);
  }
  // A body that is wrong as a whole (not an object, say) is the field at fault.
  const param = paramPath(path) ?? "body";
  return new ApiError(400, `${param}: ${message}`, "invalid_request", param);
}

type Issue = ZodError["issues"][number];

/**
 * The issue that says what is wrong, with its whole path: a record key's own rule rather than
 * "Invalid key in record"; of a union's alternatives, the one whose shape the value has (its
 * issue is inside the value, as a list's item, or at least not about the value's type); an
 * unknown field's name.
 */
function innermost(issue: Issue): { path: PropertyKey[]; message: string; code: string } {
  if (issue.code === "unrecognized_keys") {
    return { path: [...issue.path, issue.keys[0] ?? ""], message: issue.message, code: issue.code };
  }
  const inner =
    issue.code === "invalid_key" || issue.code === "invalid_element"
      ? issue.issues[0]
      : issue.code === "invalid_union"
        ? (issue.errors.find((branch) => (branch[0]?.path.length ?? 0) > 0) ??
            issue.errors.find((branch) => branch[0]?.code !== "invalid_type") ??
            issue.errors[0])?.[0]
        : undefined;
  if (!inner) return { path: issue.path, message: issue.message, code: issue.code };
  // The inner issue's path is relative to the value it is about.
  const found = innermost(inner);
  return { ...found, path: [...issue.path, ...found.path] };
}

/**
 * The validators' own refusals (Hono's HTTPException) in the API's shape: a body that is not JSON,
 * or one sent as another media type.
 */
export function fromHttpException(error: HTTPException): ApiError {
  if (error.status === 400) {
    return new ApiError(400, "the body is not valid JSON", "invalid_json", "body");
  }
  if (error.status === 415) {
    const message = "the body must be JSON, sent with Content-Type: application/json";
    return new ApiError(415, message, "unsupported_media_type", "content-type");
  }
  return new ApiError(error.status as ContentfulStatusCode, error.message, "http_error");
}

/** Any error as the ApiError it answers with; what is not the client's fault is a bare 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) return fromHttpException(error);
  return new ApiError(500, "internal server error", "internal_error");
}

/** @hono/zod-openapi's defaultHook: a request that fails its route's schema is a 400 naming the field. */
export function rejectInvalid(result: { success: boolean; error?: ZodError }): void {
  if (!result.success && result.error) throw fromZodError(result.error);
}
