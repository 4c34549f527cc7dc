// Accounts, made by the deployment's operator: POST /v1/accounts (authorised by the operator token,
// not an API key) creates a customer's account with its first admin key, whose secret is shown in
// that answer only.
import { z } from "zod";
import { MAX_LABEL_CHARS } from "../../../shared/limits.ts";
import { issuedApiKeySchema } from "./keys.ts";

export const createAccountRequestSchema = z
  .strictObject({
    name: z.string().min(1).max(MAX_LABEL_CHARS).describe("Whose account it is"),
  })
  .meta({ id: "CreateAccount" });

export type CreateAccountRequest = z.infer<typeof createAccountRequestSchema>;

export const createdAccountSchema = z
  .object({
    id: z.string(),
    object: z.literal("account"),
    name: z.string(),
    created_at: z.number().int().describe("Unix seconds"),
    key: issuedApiKeySchema.describe(
      "The account's first key, admin-scoped, with its secret: hand it to the customer (a " +
        "replay omits the secret)",
    ),
  })
  .meta({ id: "CreatedAccount" });

export type CreatedAccount = z.infer<typeof createdAccountSchema>;
