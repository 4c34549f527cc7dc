// The error answers edge routes share, status -> what it means, for their declarations to spread
// (shared/http/openapi.ts errorAnswers turns them into answers with OpenAI's error body).
import { z } from "zod";
import { MAX_JSON_BODY_BYTES } from "../../../shared/limits.ts";
import { IDEMPOTENCY_KEY_HEADER } from "../middleware/idempotency.ts";

/** Every route behind an API key. */
export const KEY_ERRORS = {
  401: "The API key is missing, unknown or revoked",
  429: {
    description:
      "The account's requests or tokens per minute are spent (its keys share them). Every " +
      "answer carries the x-ratelimit-* headers",
    headers: z.object({
      "Retry-After": z.string().describe("Seconds until the minute ends"),
      "x-ratelimit-limit-requests": z.string().describe("The account's requests per minute"),
      "x-ratelimit-remaining-requests": z
        .string()
        .describe("Requests the account has left this minute, all its keys together"),
      "x-ratelimit-limit-tokens": z.string().describe("The account's tokens per minute"),
      "x-ratelimit-remaining-tokens": z
        .string()
        .describe("Tokens the account has left this minute, all its keys together"),
    }),
  },
} as const;

/** The operator's routes, behind its token rather than an API key (middleware/operator.ts). */
export const OPERATOR_ERRORS = {
  401: "The operator token is missing or wrong",
  403: "The deployment sets no OPERATOR_TOKEN: the operator API is off",
} as const;

/** Routes an admin-scoped key alone may call. */
export const ADMIN_ERRORS = { 403: "The API key is not admin-scoped" } as const;

/** Create routes that honour Idempotency-Key (their own 409s say so in their words). */
export const IDEMPOTENCY_ERRORS = {
  409: `A request with this ${IDEMPOTENCY_KEY_HEADER} is still running`,
  422: `This ${IDEMPOTENCY_KEY_HEADER} was used for a different request`,
} as const;

/** Routes that ask a GPU node. */
export const NODE_ERRORS = {
  502: "A GPU node failed, or answered outside its contract",
  503: "No GPU node is reachable, the ones there are busy, or the node stopped midway; retry shortly",
} as const;

/** Routes that run a model a request names (inference/target.ts). */
export const MODEL_ERRORS = {
  404: "No such model: not one of yours, nor a base model",
  409: "The steerable model is not ready (still training, or failed)",
} as const;

/** Routes that take a JSON body (app.ts bounds it). */
export const BODY_ERRORS = {
  413: `The body is over ${MAX_JSON_BODY_BYTES} bytes, the most a GPU node reads (code body_too_large)`,
  415: "The body is not sent as JSON (Content-Type: application/json)",
} as const;

/** The request's fields, in words, for routes that take a body or a query. */
export const INVALID = "The request is invalid: param names the field (unknown fields included)";
