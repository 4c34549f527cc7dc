// Script: issues the development API key and prints it. An admin key of the "development"
// account in the local D1, made by the edge's own account code through wrangler's local bindings
// (the database file `wrangler dev` uses). The account stays from one run to the next, and so do
// its models; a key is shown only once, so each run issues a new one, and the run's oldest key
// gives way once the account holds as many as an account may (MAX_KEYS_PER_ACCOUNT).
//
//   node --import tsx dev/issue-dev-key.ts STATE_DIR   (wrangler's --persist-to)
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { getPlatformProxy } from "wrangler";
import { accounts, apiKeys } from "../edge/src/db/schema.ts";
import { createAccount, issueKey } from "../edge/src/lib/accounts.ts";
import { type Db, database } from "../edge/src/lib/db.ts";
import { MAX_KEYS_PER_ACCOUNT } from "../shared/limits.ts";

const DEV_ACCOUNT = "development";

async function issueDevKey(stateDir: string): Promise<string> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    persist: { path: `${stateDir}/v3` },
  });
  try {
    const db = database(proxy.env.DB);
    const [existing] = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.name, DEV_ACCOUNT))
      .limit(1);
    const accountId = existing?.id ?? (await createAccount(db, DEV_ACCOUNT));
    await makeRoom(db, accountId);
    return (await issueKey(db, accountId, `npm start ${new Date().toISOString()}`, "admin")).key;
  } finally {
    await proxy.dispose();
  }
}

/** Revokes the oldest live keys that would leave the new one no place under the cap. */
async function makeRoom(db: Db, accountId: string): Promise<void> {
  const live = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  const excess = live.length - (MAX_KEYS_PER_ACCOUNT - 1);
  if (excess <= 0) return;
  const oldest = live.slice(0, excess).map((key) => key.id);
  await db.update(apiKeys).set({ revokedAt: Date.now() }).where(inArray(apiKeys.id, oldest));
}

const stateDir = process.argv[2];
if (!stateDir) throw new Error("usage: issue-dev-key.ts STATE_DIR");
process.stdout.write(`${await issueDevKey(stateDir)}\n`);
