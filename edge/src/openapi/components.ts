// The schemas the API reference names, from the zod schemas the routes validate with (shared/api),
// so that the document cannot drift from what the edge accepts. Requests are described as clients
// may send them (defaults optional), answers as the edge sends them.
import { z } from "zod";
import { createAccountRequestSchema, createdAccountSchema } from "../../../shared/api/accounts.ts";
import {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  edgeChatCompletionRequestSchema,
} from "../../../shared/api/chat.ts";
import type { ApiErrorBody } from "../../../shared/api/errors.ts";
import {
  apiKeyListSchema,
  apiKeyRevokedSchema,
  createKeyRequestSchema,
  issuedApiKeySchema,
} from "../../../shared/api/keys.ts";
import { modelListSchema } from "../../../shared/api/models.ts";
import {
  installPresetSchema,
  marketplacePresetDeletedSchema,
  marketplacePresetListSchema,
  marketplacePresetSchema,
  publishPresetSchema,
} from "../../../shared/api/presets-edge.ts";
import {
  createSteerableModelSchema,
  steerableModelDeletedSchema,
  steerableModelListSchema,
  steerableModelPageSchema,
  steerableModelSchema,
  steeredCompletionRequestSchema,
  steeredCompletionSchema,
} from "../../../shared/api/steerable-models.ts";
import { usageListSchema } from "../../../shared/api/usage.ts";

/** OpenAI's error object, which every failure answers with (shared/http/api-error.ts). */
const apiErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
}) satisfies z.ZodType<ApiErrorBody>;

export const REQUEST_SCHEMAS = {
  CreateSteerableModel: createSteerableModelSchema,
  SteeredCompletionRequest: steeredCompletionRequestSchema,
  ChatCompletionRequest: edgeChatCompletionRequestSchema,
  PublishPreset: publishPresetSchema,
  InstallPreset: installPresetSchema,
  CreateKey: createKeyRequestSchema,
  CreateAccount: createAccountRequestSchema,
};

export const RESPONSE_SCHEMAS = {
  Error: apiErrorSchema,
  SteerableModel: steerableModelSchema,
  SteerableModelPage: steerableModelPageSchema,
  SteerableModelList: steerableModelListSchema,
  SteerableModelDeleted: steerableModelDeletedSchema,
  SteeredCompletion: steeredCompletionSchema,
  ChatCompletion: chatCompletionSchema,
  ChatCompletionChunk: chatCompletionChunkSchema,
  ModelList: modelListSchema,
  Preset: marketplacePresetSchema,
  PresetList: marketplacePresetListSchema,
  PresetDeleted: marketplacePresetDeletedSchema,
  IssuedApiKey: issuedApiKeySchema,
  ApiKeyList: apiKeyListSchema,
  ApiKeyRevoked: apiKeyRevokedSchema,
  UsageList: usageListSchema,
  CreatedAccount: createdAccountSchema,
};

export type RequestSchemaName = keyof typeof REQUEST_SCHEMAS;
export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
