// Accounts and their API keys. A key's secret is returned once, when it is issued; only its
// SHA-256 is stored, with a short prefix that lets its owner tell keys apart. An account holds at
// most MAX_KEYS_PER_ACCOUNT live keys.
import { and, eq, isNull, sql } from "drizzle-orm";
import { ApiError } from "../../../shared/http/api-error.ts";
import { MAX_KEYS_PER_ACCOUNT } from "../../../shared/limits.ts";
import { accounts, apiKeys } from "../db/schema.ts";
import type { Db } from "./db.ts";
import { newId, newSecretKey, sha256Hex } from "./ids.ts";

export interface IssuedKey {
  id: string;
  /** The secret, shown this once. */
  key: string;
  prefix: string;
  name: string;
  scope: "admin" | "user";
}

export async function createAccount(db: Db, name: string): Promise<string> {
  const id = newId("acct");
  await db.insert(accounts).values({ id, name });
  return id;
}

/** An account and its first admin key, written together: an account is never left without one. */
export async function createAccountWithKey(
  db: Db,
  name: string,
  keyName: string,
): Promise<{ accountId: string; issued: IssuedKey }> {
  const accountId = newId("acct");
  const key = await newKey(db, accountId, keyName, "admin");
  await db.batch([db.insert(accounts).values({ id: accountId, name }), key.insert]);
  return { accountId, issued: key.issued };
}

/**
 * A new key for the account; 409 when it already holds MAX_KEYS_PER_ACCOUNT live keys. The key is
 * inserted and, in the same batch (one transaction), taken out again if that puts the account
 * over the cap: keys issued at once cannot all slip under it.
 */
export async function issueKey(
  db: Db,
  accountId: string,
  name: string,
  scope: IssuedKey["scope"],
): Promise<IssuedKey> {
  const key = await newKey(db, accountId, name, scope);
  const liveKeys = db
    .select({ n: sql`count(*)` })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)));
  const [, undone] = await db.batch([
    key.insert,
    db
      .delete(apiKeys)
      .where(and(eq(apiKeys.id, key.issued.id), sql`(${liveKeys}) > ${MAX_KEYS_PER_ACCOUNT}`))
      .returning({ id: apiKeys.id }),
  ]);
  if (undone.length > 0) {
    throw new ApiError(
      409,
      `the account already has ${MAX_KEYS_PER_ACCOUNT} API keys, the most it may have; ` +
        "revoke one (DELETE /v1/keys/{id}) to free a place",
      "key_limit_reached",
    );
  }
  return key.issued;
}

/** A new key and the insert that stores it (hashed). */
async function newKey(db: Db, accountId: string, name: string, scope: IssuedKey["scope"]) {
  const key = newSecretKey();
  const issued = { id: newId("key"), key, prefix: key.slice(0, 13), name, scope };
  const insert = db.insert(apiKeys).values({
    id: issued.id,
    accountId,
    name,
    hash: await sha256Hex(key),
    prefix: issued.prefix,
    scope,
  });
  return { issued, insert };
}
