// The operator API: POST /v1/accounts makes a customer's account and its first admin key, whose
// secret is in this answer only. Authorised by the operator token (middleware/operator.ts), never
// by an API key: an account cannot make accounts.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import { createAccountRequestSchema, createdAccountSchema } from "../api/accounts.ts";
import { BODY_ERRORS, IDEMPOTENCY_ERRORS, INVALID, OPERATOR_ERRORS } from "../api/errors.ts";
import { accounts } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { createAccountWithKey } from "../lib/accounts.ts";
import { database } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import { idempotency, idempotencyHeaders } from "../middleware/idempotency.ts";
import { operatorOnly } from "../middleware/operator.ts";
import { TAGS } from "../openapi/tags.ts";
import { issuedKeyObject } from "./keys.ts";

/** The operator's Idempotency-Keys are its own, apart from every account's. */
const operatorKeys = idempotency({ withhold: ["key.key"], owner: () => "operator" });

const route = createRoute({
  method: "post",
  path: "/v1/accounts",
  tags: [TAGS.operator.name],
  summary: "Create a customer's account and its first admin key (its secret in this answer only)",
  security: [{ operator: [] }],
  middleware: [operatorOnly, operatorKeys],
  request: { headers: idempotencyHeaders, body: jsonBody(createAccountRequestSchema) },
  responses: {
    201: jsonAnswer(createdAccountSchema, "The account, with its key"),
    ...errorAnswers({
      ...IDEMPOTENCY_ERRORS,
      ...BODY_ERRORS,
      400: INVALID,
      ...OPERATOR_ERRORS,
    }),
  },
});

export const accountRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid }).openapi(
  route,
  async (c) => {
    const request = c.req.valid("json");
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
        object: "account" as const,
        name: request.name,
        created_at: unixSeconds(account.createdAt),
        key: await issuedKeyObject(db, id, issued),
      },
      201,
    );
  },
);
