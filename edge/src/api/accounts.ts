// Accounts, made by the deployment's operator: POST /v1/accounts (authorised by the operator token,
// not an API key) creates a customer's account with its first admin key, whose secret is shown in
// that answer only.
import { z } from "zod";
import { issuedApiKeySchema } from "./keys.ts";

export const createAccountRequestSchema = z.object({
  /** Whose account it is, to tell accounts apart. */
  name: z.string().min(1).max(200),
});

export type CreateAccountRequest = z.infer<typeof createAccountRequestSchema>;

/** The answer to POST /v1/accounts. */
export const createdAccountSchema = z.object({
  id: z.string(),
  object: z.literal("account"),
  name: z.string(),
  /** Unix seconds. */
  created_at: z.number().int(),
  /** The account's first key, admin-scoped, with its secret: hand it to the customer. */
  key: issuedApiKeySchema,
});

export type CreatedAccount = z.infer<typeof createdAccountSchema>;
