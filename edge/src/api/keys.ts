// API keys, managed with an admin-scoped key: POST /v1/keys issues one (its secret is in that answer
// only), GET /v1/keys lists the account's keys, DELETE /v1/keys/{id} revokes one.
import { z } from "zod";

export const KEY_SCOPES = ["admin", "user"] as const;

export const createKeyRequestSchema = z.object({
  /** What the key is for, to tell keys apart. */
  name: z.string().min(1).max(200),
  /** admin keys may also manage the account's keys. */
  scope: z.enum(KEY_SCOPES).default("user"),
});

export type CreateKeyRequest = z.infer<typeof createKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  object: z.literal("api_key"),
  name: z.string(),
  scope: z.enum(KEY_SCOPES),
  /** The secret's first characters, to recognise it by. */
  prefix: z.string(),
  /** Unix seconds. */
  created_at: z.number().int(),
  /** Unix seconds; null while the key works. */
  revoked_at: z.number().int().nullable(),
});

export type ApiKeyObject = z.infer<typeof apiKeySchema>;

/** The answer to POST /v1/keys: the one time the secret is shown. */
export const issuedApiKeySchema = apiKeySchema.extend({
  /** The secret, for `Authorization: Bearer <key>`. Not stored: keep it now. */
  key: z.string(),
});

export type IssuedApiKeyObject = z.infer<typeof issuedApiKeySchema>;

export const apiKeyListSchema = z.object({
  object: z.literal("list"),
  data: z.array(apiKeySchema),
});

export type ApiKeyList = z.infer<typeof apiKeyListSchema>;

export const apiKeyRevokedSchema = z.object({
  id: z.string(),
  object: z.literal("api_key"),
  revoked: z.literal(true),
});

export type ApiKeyRevoked = z.infer<typeof apiKeyRevokedSchema>;
