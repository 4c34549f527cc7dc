// The operator API: POST /v1/accounts makes a customer's account and its first admin key, whose
// secret is in this answer only. Authorised by the operator token (middleware/operator.ts), never
// by an API key: an account cannot make accounts.
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { type CreatedAccount, createAccountRequestSchema } from "../../../shared/api/accounts.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import { accounts } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { createAccountWithKey } from "../lib/accounts.ts";
import { database } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import { idempotency } from "../middleware/idempotency.ts";
import { operatorOnly } from "../middleware/operator.ts";
import { issuedKeyObject } from "./keys.ts";

/** The operator's Idempotency-Keys are its own, apart from every account's. */
const operatorKeys = idempotency({ withhold: ["key.key"], owner: () => "operator" });

export const accountRoutes = new Hono<EdgeEnv>().post(
  "/v1/accounts",
  operatorOnly,
  operatorKeys,
  async (c) => {
    const request = await parseJsonBody(c.req.raw, createAccountRequestSchema);
    const db = database(c.env.DB);
    const { accountId: id, issued } = await createAccountWithKey(
      db,
      request.name,
      "first admin key",
    );
    // created_at is the database's own clock (its column default), as for every other object.
    const [account] = await db
      .select({ createdAt: accounts.createdAt })
      .from(accounts)
      .where(eq(accounts.id, id));
    if (!account) throw new Error(`account ${id} vanished after being created`);
    return c.json(
      {
        id,
        object: "account",
        name: request.name,
        created_at: unixSeconds(account.createdAt),
        key: await issuedKeyObject(db, id, issued),
      } satisfies CreatedAccount,
      201,
    );
  },
);
