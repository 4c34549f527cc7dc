// Steerable models, the product's original endpoints with their original shapes: POST creates one
// and answers 202 at once (status pending: its described traits' examples are generated, then its
// traits train on the GPU nodes, see training/), once a node has validated each trait's extraction
// (so an accepted model is one that trains), GET reads one, its status (what the original client
// polls) or a page of the caller's, newest first, DELETE removes one. Served under /steerable-model and /v1/steerable-models, where a list also
// says object: "list". Every read reconciles the models it returns with their jobs, so their
// status is current.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import {
  BODY_ERRORS,
  IDEMPOTENCY_ERRORS,
  INVALID,
  KEY_ERRORS,
  NODE_ERRORS,
} from "../api/errors.ts";
import {
  createSteerableModelSchema,
  listQuerySchema,
  steerableModelDeletedSchema,
  steerableModelListSchema,
  steerableModelPageSchema,
  steerableModelSchema,
  steerableModelStatusAnswerSchema,
} from "../api/steerable-models.ts";
import type { Bindings, EdgeEnv } from "../env.ts";
import { forgetSteerableModel } from "../inference/target.ts";
import { backendFor } from "../lib/backend.ts";
import { idempotencyHeaders, idempotent } from "../middleware/idempotency.ts";
import { requireServedModel } from "../nodes/base-models.ts";
import type { FieldOf } from "../nodes/pool.ts";
import { TAGS } from "../openapi/tags.ts";
import { checkTraining } from "../training/extraction-request.ts";
import {
  deleteModel,
  insertModel,
  listModels,
  type ModelRecord,
  requireModel,
  toApiModel,
} from "../training/models.ts";
import { cancelJobs, reconcileLater, reconcileModel } from "../training/reconcile.ts";

const modelId = z.object({ id: z.string().describe("The steerable model's id") });
const NOT_FOUND = { 404: "You have no steerable model with this id" } as const;

/** The routes, for mounting at `base`: the original's /steerable-model, or /v1/steerable-models. */
export function steerableModelRoutes(base: "/steerable-model" | "/v1/steerable-models") {
  const tags = [base === "/steerable-model" ? TAGS.original.name : TAGS.steerableModels.name];
  const listSchema =
    base === "/steerable-model" ? steerableModelPageSchema : steerableModelListSchema;
  const app = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary:
        "Create a steerable model from contrastive examples or a description per trait; it " +
        "trains at once, each trait on the layers where it reads best unless `layers` says otherwise",
      middleware: [idempotent],
      request: { headers: idempotencyHeaders, body: jsonBody(createSteerableModelSchema) },
      responses: {
        202: {
          ...jsonAnswer(
            steerableModelSchema,
            "Accepted: the model, status pending; poll its status (generating while described " +
              "traits' examples are written, then training)",
          ),
          headers: z.object({ Location: z.string().describe("The model's URL") }),
        },
        ...errorAnswers({
          ...KEY_ERRORS,
          ...IDEMPOTENCY_ERRORS,
          ...BODY_ERRORS,
          400:
            `${INVALID}; or model is not a base model the GPU nodes serve; or a trait would not ` +
            "train: its extraction too large for a GPU node (too many pairs or tokens, a body " +
            "too large; for a described trait, with as many stand-in pairs as it asks), a text " +
            "past the base model's context, or layers the base model cannot steer (param names " +
            "the field)",
          ...NODE_ERRORS,
        }),
      },
    }),
    async (c) => {
      const request = c.req.valid("json");
      const backend = backendFor(c.env);
      const baseModel = await requireServedModel(backend.pool, request.model, "model");
      const training = {
        baseModel: baseModel.id,
        promptList: request.prompt_list,
        template: request.template,
        layers: request.layers,
        dimensions: request.control_dimensions,
      };
      await checkTraining(backend.pool, training, requestField);
      const { accountId, keyId } = c.get("caller");
      const model = await insertModel(backend.db, {
        accountId,
        keyId,
        label: request.model_label,
        ...training,
      });
      reconcileLater(backend, c.executionCtx, model);
      c.header("Location", `${base}/${model.id}`);
      return c.json(toApiModel(model), 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List your steerable models, newest first",
      request: { query: listQuerySchema },
      responses: {
        200: jsonAnswer(listSchema, "A page of steerable models"),
        ...errorAnswers({ ...KEY_ERRORS, 400: INVALID }),
      },
    }),
    async (c) => {
      const page = c.req.valid("query");
      const { accountId } = c.get("caller");
      const backend = backendFor(c.env);
      const models = await listModels(backend.db, accountId, page);
      await Promise.all(models.map((model) => reconcileModel(backend, model)));
      const data = (await listModels(backend.db, accountId, page)).map(toApiModel);
      return c.json(
        base === "/steerable-model" ? { data } : { object: "list" as const, data },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary:
        "A steerable model, with its status (pending, generating, training, ready or failed)",
      request: { params: modelId },
      responses: {
        200: jsonAnswer(steerableModelSchema, "The steerable model"),
        ...errorAnswers({ ...KEY_ERRORS, ...NOT_FOUND }),
      },
    }),
    async (c) => {
      const model = await currentModel(c.get("caller").accountId, c.req.valid("param").id, c.env);
      return c.json(toApiModel(model), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/status",
      tags,
      summary: "A steerable model's status alone: what the original client polls until ready",
      request: { params: modelId },
      responses: {
        200: jsonAnswer(steerableModelStatusAnswerSchema, "Its status"),
        ...errorAnswers({ ...KEY_ERRORS, ...NOT_FOUND }),
      },
    }),
    async (c) => {
      const model = await currentModel(c.get("caller").accountId, c.req.valid("param").id, c.env);
      return c.json(
        { id: model.id, status: model.status, failure_reason: model.failureReason },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a steerable model (its training stops)",
      request: { params: modelId },
      responses: {
        200: jsonAnswer(steerableModelDeletedSchema, "The model, deleted"),
        ...errorAnswers({ ...KEY_ERRORS, ...NOT_FOUND }),
      },
    }),
    async (c) => {
      const backend = backendFor(c.env);
      const { accountId } = c.get("caller");
      const model = await requireModel(backend.db, accountId, c.req.valid("param").id);
      await deleteModel(backend.db, model.id);
      forgetSteerableModel(accountId, model.id);
      // Its vectors stay in R2: content-addressed, they may be shared by other models and presets.
      c.executionCtx.waitUntil(cancelJobs(backend, model.traits));
      return c.json(
        { id: model.id, object: "steerable_model" as const, deleted: true as const },
        200,
      );
    },
  );

  return app;
}

/**
 * A node's param, of the trait's extraction request, as the field of the create request it came
 * from: personas.positive[3] is control_dimensions.<trait>.positive_examples[3], personas.openers
 * prompt_list, personas.template template, layers layers (model-wide), and the rest the trait's
 * whole dataset. Of a trait to be generated, whose personas are stand-ins, what its dataset's
 * size is at fault for is `pairs`.
 */
function requestField(trait: string, generated: boolean): FieldOf {
  const dimension = `control_dimensions.${trait}`;
  const fields: Record<string, string> = {
    positive: `${dimension}.positive_examples`,
    negative: `${dimension}.negative_examples`,
    openers: "prompt_list",
    template: "template",
  };
  return (param) => {
    if (param === "layers" || param.startsWith("layers[")) return param;
    const [, name = "", rest = ""] = /^personas\.(\w+)(.*)$/.exec(param) ?? [];
    const field = fields[name];
    if (generated && (!field || name === "positive" || name === "negative")) {
      return `${dimension}.pairs`;
    }
    return field ? `${field}${rest}` : dimension;
  };
}

/** The caller's model `id`, reconciled with its jobs first so that its status is current. */
async function currentModel(accountId: string, id: string, env: Bindings): Promise<ModelRecord> {
  const backend = backendFor(env);
  await reconcileModel(backend, await requireModel(backend.db, accountId, id));
  return requireModel(backend.db, accountId, id);
}
