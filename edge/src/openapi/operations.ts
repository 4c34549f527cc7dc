// Every public operation of the edge, in one table: the OpenAPI document (document.ts) and the
// reference page (reference-page.ts) are generated from it. Request bodies and queries are the zod
// schemas the routes validate with.
import type { z } from "zod";
import { importVectorQuerySchema, listQuerySchema } from "../../../shared/api/steerable-models.ts";
import { usageQuerySchema } from "../../../shared/api/usage.ts";
import type { RequestSchemaName, ResponseSchemaName } from "./components.ts";

/** A body that is a llama.cpp control-vector GGUF file rather than JSON. */
export const GGUF = "gguf";

export const TAGS = {
  original: "The original API: steerable models and steered completions",
  steerableModels: "Steerable models",
  inference: "Inference, OpenAI-compatible",
  presets: "Presets: the marketplace",
  account: "Usage and API keys",
  operator: "Operator: accounts",
  reference: "This reference",
} as const;

export interface Operation {
  method: "get" | "post" | "delete";
  /** An OpenAPI path template: {name} for a path parameter. */
  path: string;
  summary: string;
  tag: keyof typeof TAGS;
  /** Needs no API key. */
  public?: boolean;
  /** Needs the operator token (OPERATOR_TOKEN) instead of an API key; not rate limited. */
  operatorOnly?: true;
  /** Only admin-scoped keys may call it. */
  adminOnly?: boolean;
  /** Takes an Idempotency-Key header (middleware/idempotency.ts). */
  idempotent?: boolean;
  query?: z.ZodObject;
  body?: RequestSchemaName | typeof GGUF;
  /** The body may be left out (its fields are all optional). */
  bodyOptional?: true;
  answer: {
    status: 200 | 201;
    description: string;
    body?: ResponseSchemaName | typeof GGUF | "html";
    /** Also answers server-sent events when the request asks to stream, each event's data this. */
    streams?: ResponseSchemaName;
  };
}

/** The steerable-model CRUD, served both at the original path and under /v1. */
function steerableModelOperations(base: string, tag: Operation["tag"]): Operation[] {
  const page = base.startsWith("/v1") ? "SteerableModelList" : "SteerableModelPage";
  return [
    {
      method: "post",
      path: base,
      summary: "Create a steerable model from contrastive examples per trait; it trains at once",
      tag,
      idempotent: true,
      body: "CreateSteerableModel",
      answer: {
        status: 201,
        description: "the steerable model, status pending",
        body: "SteerableModel",
      },
    },
    {
      method: "get",
      path: base,
      summary: "List the account's steerable models, newest first",
      tag,
      query: listQuerySchema,
      answer: { status: 200, description: "a page of steerable models", body: page },
    },
    {
      method: "get",
      path: `${base}/{id}`,
      summary: "Get a steerable model and its status (pending, training, ready or failed)",
      tag,
      answer: { status: 200, description: "the steerable model", body: "SteerableModel" },
    },
    {
      method: "delete",
      path: `${base}/{id}`,
      summary: "Delete a steerable model",
      tag,
      answer: { status: 200, description: "the model, deleted", body: "SteerableModelDeleted" },
    },
  ];
}

export const OPERATIONS: Operation[] = [
  ...steerableModelOperations("/steerable-model", "original"),
  {
    method: "post",
    path: "/completions",
    summary: "Complete a prompt with a steerable model, a multiplier per trait (control_settings)",
    tag: "original",
    body: "SteeredCompletionRequest",
    answer: { status: 200, description: "the completion", body: "SteeredCompletion" },
  },
  ...steerableModelOperations("/v1/steerable-models", "steerableModels"),
  {
    method: "get",
    path: "/v1/steerable-models/{id}/vectors/{trait}",
    summary: "Download a trait's vector as a llama.cpp control-vector GGUF",
    tag: "steerableModels",
    answer: { status: 200, description: "the control-vector GGUF", body: GGUF },
  },
  {
    method: "post",
    path: "/v1/steerable-models/import",
    summary: "Import a control-vector GGUF as a new, ready steerable model of one trait",
    tag: "steerableModels",
    idempotent: true,
    query: importVectorQuerySchema,
    body: GGUF,
    answer: {
      status: 201,
      description: "the steerable model, status ready",
      body: "SteerableModel",
    },
  },
  {
    method: "post",
    path: "/v1/chat/completions",
    summary:
      "OpenAI's chat completions; model is a steerable model's id (steering: trait -> multiplier) or the base model's",
    tag: "inference",
    body: "ChatCompletionRequest",
    answer: {
      status: 200,
      description: "the completion, or its chunks when streamed",
      body: "ChatCompletion",
      streams: "ChatCompletionChunk",
    },
  },
  {
    method: "get",
    path: "/v1/models",
    summary: "The base models the GPU nodes serve",
    tag: "inference",
    answer: { status: 200, description: "OpenAI's model list", body: "ModelList" },
  },
  {
    method: "get",
    path: "/v1/presets",
    summary: "Ready-made steerable models: built in, or published by users",
    tag: "presets",
    answer: { status: 200, description: "the presets", body: "PresetList" },
  },
  {
    method: "post",
    path: "/v1/presets",
    summary: "Publish a ready steerable model of the account's as a preset",
    tag: "presets",
    idempotent: true,
    body: "PublishPreset",
    answer: { status: 201, description: "the preset", body: "Preset" },
  },
  {
    method: "delete",
    path: "/v1/presets/{name}",
    summary: "Take a preset the account published off the marketplace (installed copies stay)",
    tag: "presets",
    answer: { status: 200, description: "the preset, taken off", body: "PresetDeleted" },
  },
  {
    method: "post",
    path: "/v1/presets/{name}/install",
    summary: "Copy a preset into the account as a steerable model, on a base model of choice",
    tag: "presets",
    idempotent: true,
    body: "InstallPreset",
    bodyOptional: true,
    answer: {
      status: 201,
      description: "the steerable model (ready at once when cached)",
      body: "SteerableModel",
    },
  },
  {
    method: "get",
    path: "/v1/usage",
    summary: "Metered tokens per day and model, for the caller's account",
    tag: "account",
    query: usageQuerySchema,
    answer: { status: 200, description: "usage per day and model", body: "UsageList" },
  },
  {
    method: "post",
    path: "/v1/keys",
    summary: "Issue an API key; its secret is in this answer only (a replay omits it)",
    tag: "account",
    adminOnly: true,
    idempotent: true,
    body: "CreateKey",
    answer: { status: 201, description: "the key, with its secret", body: "IssuedApiKey" },
  },
  {
    method: "get",
    path: "/v1/keys",
    summary: "List the account's API keys (never their secrets)",
    tag: "account",
    adminOnly: true,
    answer: { status: 200, description: "the keys", body: "ApiKeyList" },
  },
  {
    method: "delete",
    path: "/v1/keys/{id}",
    summary: "Revoke an API key: refused from its next request on (not the last admin key: 409)",
    tag: "account",
    adminOnly: true,
    answer: { status: 200, description: "the key, revoked", body: "ApiKeyRevoked" },
  },
  {
    method: "post",
    path: "/v1/accounts",
    summary:
      "Create a customer's account and its first admin key (its secret is in this answer only)",
    tag: "operator",
    operatorOnly: true,
    idempotent: true,
    body: "CreateAccount",
    answer: { status: 201, description: "the account, with its key", body: "CreatedAccount" },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This API's OpenAPI 3.1 document",
    tag: "reference",
    public: true,
    answer: { status: 200, description: "the OpenAPI document" },
  },
  {
    method: "get",
    path: "/docs",
    summary: "This API reference, as a web page",
    tag: "reference",
    public: true,
    answer: { status: 200, description: "an HTML page", body: "html" },
  },
];
