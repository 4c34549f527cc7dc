// Bearer API keys: the key's SHA-256 finds its row; a missing, unknown or revoked key is 401. The
// caller (account, key, scope) is set for the routes, which only ever see their account's data.
// A verified key is remembered for a minute: revoking it takes effect at once in the isolate that
// revoked it (forgetKey) and within that minute everywhere else.
import { and, eq, isNull } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../../shared/http/api-error.ts";
import { bearerToken } from "../../../shared/http/bearer.ts";
import { apiKeys } from "../db/schema.ts";
import type { Caller, EdgeEnv } from "../env.ts";
import { database } from "../lib/db.ts";
import { sha256Hex } from "../lib/ids.ts";
import { IsolateCache } from "../lib/isolate-cache.ts";

const verified = new IsolateCache<Caller>(60_000);

export const authenticate = createMiddleware<EdgeEnv>(async (c, next) => {
  const key = bearerToken(c.req.header("authorization"));
  if (!key) throw unauthorized("an API key is required: Authorization: Bearer <key>");
  const hash = await sha256Hex(key);
  const caller = verified.get(hash) ?? (await lookUp(c.env.DB, hash));
  if (!caller) throw unauthorized("the API key is unknown or revoked");
  c.set("caller", caller);
  await next();
});

/** Forgets a key this isolate verified (it has just been revoked). */
export function forgetKey(hash: string): void {
  verified.delete(hash);
}

/** The key's caller from D1, remembered from now: not from each use, or it would never expire. */
async function lookUp(d1: D1Database, hash: string): Promise<Caller | undefined> {
  const [key] = await database(d1)
    .select({ keyId: apiKeys.id, accountId: apiKeys.accountId, scope: apiKeys.scope })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (key) verified.set(hash, key);
  return key;
}

/** For routes only admin keys may use. */
export const adminOnly = createMiddleware<EdgeEnv>(async (c, next) => {
  if (c.get("caller").scope !== "admin") {
    throw new ApiError(403, "this needs an admin-scoped API key", "admin_key_required");
  }
  await next();
});

function unauthorized(message: string): ApiError {
  return new ApiError(401, message, "invalid_api_key");
}
