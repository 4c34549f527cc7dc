// Script: issues the development API key and prints it. An admin key of the "development"
// account in the local D1, made by the edge's own account code through wrangler's local bindings
// (the database file `wrangler dev` uses). The account stays from one run to the next, and so do
// its models; a key is shown only once, so each run issues a new one.
//
//   node --import tsx dev/issue-dev-key.ts STATE_DIR   (wrangler's --persist-to)
import { eq } from "drizzle-orm";
import { getPlatformProxy } from "wrangler";
import { accounts } from "../edge/src/db/schema.ts";
import { createAccount, issueKey } from "../edge/src/lib/accounts.ts";
import { database } from "../edge/src/lib/db.ts";

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
    return (await issueKey(db, accountId, `npm start ${new Date().toISOString()}`, "admin")).key;
  } finally {
    await proxy.dispose();
  }
}

const stateDir = process.argv[2];
if (!stateDir) throw new Error("usage: issue-dev-key.ts STATE_DIR");
process.stdout.write(`${await issueDevKey(stateDir)}\n`);
