// The operator API's guard: `Authorization: Bearer <OPERATOR_TOKEN>`, the deployment's own secret,
// which no customer's API key is. Without OPERATOR_TOKEN the operator API is off (403), so a
// deployment that never set it cannot have accounts made behind its back.
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../../shared/http/api-error.ts";
import { BEARER_TOKEN_RULE, bearerToken, isBearerToken } from "../../../shared/http/bearer.ts";
import type { EdgeEnv } from "../env.ts";
import { sha256 } from "../lib/ids.ts";

export const operatorOnly = createMiddleware<EdgeEnv>(async (c, next) => {
  const expected = c.env.OPERATOR_TOKEN;
  if (!expected) {
    throw new ApiError(
      403,
      "the operator API (accounts, MMLU, GPU nodes) is disabled until the deployment sets OPERATOR_TOKEN " +
        "(wrangler secret put OPERATOR_TOKEN)",
      "operator_api_disabled",
    );
  }
  if (!isBearerToken(expected)) {
    throw new ApiError(
      403,
      `the operator API is disabled: the deployment's OPERATOR_TOKEN cannot be sent (${BEARER_TOKEN_RULE})`,
      "operator_api_disabled",
    );
  }
  const given = bearerToken(c.req.header("authorization"));
  if (!given || !(await sameSecret(given, expected))) {
    throw new ApiError(
      401,
      "the operator token is missing or wrong: Authorization: Bearer <OPERATOR_TOKEN>",
      "invalid_operator_token",
    );
  }
  await next();
});

/** Compares in constant time; digests first, since timingSafeEqual needs equal lengths and the
 * token's length is no business of the caller's either. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
