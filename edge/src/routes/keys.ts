// API keys, for admin-scoped keys only: issue one (its secret is shown in that answer alone; at
// most MAX_KEYS_PER_ACCOUNT live ones), list the account's keys, revoke one. A revoked key is
// refused by authenticate at its next request, and no longer counts against the cap.

import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { and, asc, eq, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { ApiError, rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import { MAX_KEYS_PER_ACCOUNT } from "../../../shared/limits.ts";
import {
  ADMIN_ERRORS,
  BODY_ERRORS,
  IDEMPOTENCY_ERRORS,
  INVALID,
  KEY_ERRORS,
} from "../api/errors.ts";
import {
  type ApiKeyObject,
  apiKeyListSchema,
  apiKeyRevokedSchema,
  createKeyRequestSchema,
  type IssuedApiKeyObject,
  issuedApiKeySchema,
} from "../api/keys.ts";
import { apiKeys } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { type IssuedKey, issueKey } from "../lib/accounts.ts";
import { type Db, database } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import { adminOnly, forgetKey } from "../middleware/auth.ts";
import { idempotency, idempotencyHeaders } from "../middleware/idempotency.ts";
import { TAGS } from "../openapi/tags.ts";

type KeyRow = Pick<
  typeof apiKeys.$inferSelect,
  "id" | "name" | "scope" | "prefix" | "createdAt" | "revokedAt"
>;

const keyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  scope: apiKeys.scope,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

const keyId = z.object({ id: z.string().describe("The key's id (not its secret)") });
const tags = [TAGS.account.name];

export const keyRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

keyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/keys",
    tags,
    summary: `Issue an API key (at most ${MAX_KEYS_PER_ACCOUNT} live per account); its secret is in this answer only (a replay omits it)`,
    // A replay must not show the secret again: it is never stored, not even for idempotency.
    middleware: [adminOnly, idempotency({ withhold: ["key"] })],
    request: { headers: idempotencyHeaders, body: jsonBody(createKeyRequestSchema) },
    responses: {
      201: jsonAnswer(issuedApiKeySchema, "The key, with its secret"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...ADMIN_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        ...BODY_ERRORS,
        400: INVALID,
        409:
          `${IDEMPOTENCY_ERRORS[409]}; or the account already has ${MAX_KEYS_PER_ACCOUNT} live ` +
          "keys (code key_limit_reached): revoking one frees a place",
      }),
    },
  }),
  async (c) => {
    const request = c.req.valid("json");
    const db = database(c.env.DB);
    const { accountId } = c.get("caller");
    const issued = await issueKey(db, accountId, request.name, request.scope);
    return c.json(await issuedKeyObject(db, accountId, issued), 201);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/keys",
    tags,
    summary: "The account's API keys (never their secrets)",
    middleware: [adminOnly],
    responses: {
      200: jsonAnswer(apiKeyListSchema, "The keys"),
      ...errorAnswers({ ...KEY_ERRORS, ...ADMIN_ERRORS }),
    },
  }),
  async (c) => {
    const rows = await database(c.env.DB)
      .select(keyColumns)
      .from(apiKeys)
      .where(eq(apiKeys.accountId, c.get("caller").accountId))
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return c.json({ object: "list" as const, data: rows.map(keyObject) }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/keys/{id}",
    tags,
    summary: "Revoke an API key: refused from its next request on, and its place freed",
    middleware: [adminOnly],
    request: { params: keyId },
    responses: {
      200: jsonAnswer(apiKeyRevokedSchema, "The key, revoked"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...ADMIN_ERRORS,
        404: "The account has no such key",
        409: "It is the account's last admin key: issue another first",
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("caller");
    const db = database(c.env.DB);
    // Revoking twice keeps the first revocation's time. The account's last live admin key stays:
    // without it nobody could manage the account's keys again. One statement decides both, so two
    // admins revoking each other's keys at once cannot leave none.
    const liveAdmins = db
      .select({ n: sql`count(*)` })
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.accountId, accountId),
          eq(apiKeys.scope, "admin"),
          isNull(apiKeys.revokedAt),
        ),
      );
    const [revoked] = await db
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${Date.now()})` })
      .where(
        and(
          eq(apiKeys.id, id),
          eq(apiKeys.accountId, accountId),
          or(ne(apiKeys.scope, "admin"), isNotNull(apiKeys.revokedAt), sql`(${liveAdmins}) > 1`),
        ),
      )
      .returning({ id: apiKeys.id, hash: apiKeys.hash });
    if (!revoked) {
      if (await findKey(db, accountId, id)) {
        throw new ApiError(
          409,
          "this is the account's last admin key; issue another admin key before revoking it",
          "last_admin_key",
          "id",
        );
      }
      throw new ApiError(404, `no API key ${id}`, "key_not_found", "id");
    }
    forgetKey(revoked.hash);
    return c.json({ id: revoked.id, object: "api_key" as const, revoked: true as const }, 200);
  },
);

async function findKey(db: Db, accountId: string, id: string): Promise<KeyRow | undefined> {
  const [row] = await db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.accountId, accountId)));
  return row;
}

/** A key just issued, as its object with its secret: what POST /v1/keys and POST /v1/accounts show. */
export async function issuedKeyObject(
  db: Db,
  accountId: string,
  issued: IssuedKey,
): Promise<IssuedApiKeyObject> {
  const row = await findKey(db, accountId, issued.id);
  if (!row) throw new Error(`key ${issued.id} vanished after being issued`);
  return { ...keyObject(row), key: issued.key };
}

function keyObject(row: KeyRow): ApiKeyObject {
  return {
    id: row.id,
    object: "api_key",
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    created_at: unixSeconds(row.createdAt),
    revoked_at: row.revokedAt === null ? null : unixSeconds(row.revokedAt),
  };
}
