// Accounts and their API keys. A key's secret is returned once, when it is issued; only its
// SHA-256 is stored, with a short prefix that lets its owner tell keys apart.
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

export async function issueKey(
  db: Db,
  accountId: string,
  name: string,
  scope: IssuedKey["scope"],
): Promise<IssuedKey> {
  const key = newSecretKey();
  const issued = { id: newId("key"), key, prefix: key.slice(0, 13), name, scope };
  await db.insert(apiKeys).values({
    id: issued.id,
    accountId,
    name,
    hash: await sha256Hex(key),
    prefix: issued.prefix,
    scope,
  });
  return issued;
}
