// API keys, managed with an admin-scoped key: POST /v1/keys issues one (its secret is in that answer
// only; an account holds at most MAX_KEYS_PER_ACCOUNT live keys), GET /v1/keys lists the account's
// keys, DELETE /v1/keys/{id} revokes one (freeing its place).
import { z } from "zod";
import { MAX_LABEL_CHARS } from "../../../shared/limits.ts";
import { listOf } from "../../../shared/openai/list.ts";

export const KEY_SCOPES = ["admin", "user"] as const;

export const createKeyRequestSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(MAX_LABEL_CHARS)
      .describe("What the key is for, to tell keys apart"),
    scope: z
      .enum(KEY_SCOPES)
      .default("user")
      .describe("admin keys may also manage the account's keys (default user)"),
  })
  .meta({ id: "CreateKey" });

export type CreateKeyRequest = z.infer<typeof createKeyRequestSchema>;

export const apiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal("api_key"),
    name: z.string(),
    scope: z.enum(KEY_SCOPES),
    prefix: z.string().describe("The secret's first characters, to recognise it by"),
    created_at: z.number().int().describe("Unix seconds"),
    revoked_at: z.number().int().nullable().describe("Unix seconds; null while the key works"),
  })
  .meta({ id: "ApiKey" });

export type ApiKeyObject = z.infer<typeof apiKeySchema>;

/** The answer to POST /v1/keys: the one time the secret is shown. */
export const issuedApiKeySchema = apiKeySchema
  .extend({
    key: z
      .string()
      .optional()
      .describe(
        "The secret, for Authorization: Bearer <key>. Not stored: keep it now. A replay of the " +
          "request (the same Idempotency-Key) answers without it",
      ),
  })
  .meta({ id: "IssuedApiKey" });

/** The answer as the key is issued: with its secret (only a replay leaves it out). */
export type IssuedApiKeyObject = ApiKeyObject & { key: string };

export const apiKeyListSchema = listOf(apiKeySchema).meta({ id: "ApiKeyList" });

export type ApiKeyList = z.infer<typeof apiKeyListSchema>;

export const apiKeyRevokedSchema = z
  .object({ id: z.string(), object: z.literal("api_key"), revoked: z.literal(true) })
  .meta({ id: "ApiKeyRevoked" });

export type ApiKeyRevoked = z.infer<typeof apiKeyRevokedSchema>;
