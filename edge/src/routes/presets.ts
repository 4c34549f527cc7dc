// Presets, the marketplace (presets/): GET /v1/presets lists them, POST /v1/presets/{name}/install
// copies one into the caller's account as a steerable model (training it when its vectors are not
// cached yet), POST /v1/presets publishes a ready model of the caller's, DELETE /v1/presets/{name}
// takes it off again.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, json, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import {
  BODY_ERRORS,
  IDEMPOTENCY_ERRORS,
  INVALID,
  KEY_ERRORS,
  NODE_ERRORS,
} from "../api/errors.ts";
import {
  installPresetSchema,
  marketplacePresetDeletedSchema,
  marketplacePresetListSchema,
  marketplacePresetSchema,
  publishPresetSchema,
} from "../api/presets.ts";
import { steerableModelSchema } from "../api/steerable-models.ts";
import type { EdgeEnv } from "../env.ts";
import { backendFor } from "../lib/backend.ts";
import { idempotencyHeaders, idempotent } from "../middleware/idempotency.ts";
import { TAGS } from "../openapi/tags.ts";
import {
  installPreset,
  listPresets,
  publishPreset,
  unpublishPreset,
} from "../presets/marketplace.ts";
import { toApiModel } from "../training/models.ts";
import { reconcileLater } from "../training/reconcile.ts";

const tags = [TAGS.presets.name];
const presetName = z.object({ name: z.string().describe("The preset's name") });

export const presetRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

presetRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/presets",
    tags,
    summary: "Ready-made steerable models: built in, or published by users",
    responses: {
      200: jsonAnswer(marketplacePresetListSchema, "The presets"),
      ...errorAnswers(KEY_ERRORS),
    },
  }),
  async (c) => c.json({ object: "list" as const, data: await listPresets(backendFor(c.env)) }, 200),
);

presetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/presets",
    tags,
    summary: "Publish a ready steerable model of yours as a preset",
    middleware: [idempotent],
    request: { headers: idempotencyHeaders, body: jsonBody(publishPresetSchema) },
    responses: {
      201: jsonAnswer(marketplacePresetSchema, "The preset"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        ...BODY_ERRORS,
        400: INVALID,
        404: "You have no model model_id",
        409: `The name is taken, or the model is not ready; or ${IDEMPOTENCY_ERRORS[409]}`,
      }),
    },
  }),
  async (c) => {
    const request = c.req.valid("json");
    const backend = backendFor(c.env);
    return c.json(await publishPreset(backend, c.get("caller").accountId, request), 201);
  },
);

presetRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/presets/{name}",
    tags,
    summary: "Take a preset you published off the marketplace (installed copies stay)",
    request: { params: presetName },
    responses: {
      200: jsonAnswer(marketplacePresetDeletedSchema, "The preset, taken off"),
      ...errorAnswers({ ...KEY_ERRORS, 404: "You have published no preset of this name" }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const { name } = c.req.valid("param");
    return c.json(await unpublishPreset(backend, c.get("caller").accountId, name), 200);
  },
);

presetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/presets/{name}/install",
    tags,
    summary: "Copy a preset into your account as a steerable model, on a base model of choice",
    middleware: [idempotent],
    request: {
      params: presetName,
      headers: idempotencyHeaders,
      body: { required: false, content: json(installPresetSchema) },
    },
    responses: {
      201: jsonAnswer(steerableModelSchema, "The steerable model (ready at once when cached)"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        ...BODY_ERRORS,
        400:
          `${INVALID}; or base_model is one no GPU node serves, or not the preset's own, or one ` +
          "the preset cannot train on (its examples past the context, say)",
        404: "No preset of this name",
        ...NODE_ERRORS,
      }),
    },
  }),
  async (c) => {
    const request = c.req.valid("json");
    const backend = backendFor(c.env);
    const { name } = c.req.valid("param");
    const model = await installPreset(backend, c.get("caller"), name, request.base_model);
    reconcileLater(backend, c.executionCtx, model);
    return c.json(toApiModel(model), 201);
  },
);
