// Errors as HTTP answers, for the edge and the GPU node alike: every failure becomes OpenAI's error
// object (shared/api/errors.ts) with a fitting status; a zod failure names the field at fault.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { ApiErrorBody } from "../api/errors.ts";

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

export function fromZodError(error: ZodError, prefix = ""): ApiError {
  const issue = error.issues[0];
  const path = issue ? paramPath(issue.path) : null;
  const param = prefix ? (path ? `${prefix}.${path}` : prefix) : path;
  const message = issue ? `${param ?? "body"}: ${issue.message}` : "invalid request";
  return new ApiError(400, message, "invalid_request", param);
}
