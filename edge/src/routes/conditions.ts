// A trait's condition (conditions/): POST calibrates it on examples that should and should not
// fire it (CAST's grid search, run by a GPU node at once) and stores it with the trait, GET reads
// it, DELETE forgets it. What a calibration read is metered as a usage row of kind calibration.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import {
  calibrateConditionSchema,
  traitConditionDeletedSchema,
  traitConditionSchema,
} from "../api/conditions.ts";
import { BODY_ERRORS, INVALID, KEY_ERRORS, NODE_ERRORS } from "../api/errors.ts";
import { calibrateTraitCondition } from "../conditions/calibrate.ts";
import {
  requireCondition,
  requireTrait,
  setCondition,
  toApiCondition,
} from "../conditions/records.ts";
import type { EdgeEnv } from "../env.ts";
import { meter } from "../inference/meter.ts";
import { forgetSteerableModel } from "../inference/target.ts";
import { backendFor } from "../lib/backend.ts";
import { TAGS } from "../openapi/tags.ts";
import { requireModel } from "../training/models.ts";

const tags = [TAGS.steerableModels.name];
const path = "/v1/steerable-models/{id}/traits/{trait}/condition";
const params = z.object({
  id: z.string().describe("The steerable model's id"),
  trait: z.string().describe("The trait's name"),
});
const NOT_FOUND = {
  404: "You have no steerable model with this id, or it has no such trait",
} as const;

export const conditionRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

conditionRoutes.openapi(
  createRoute({
    method: "post",
    path,
    tags,
    summary:
      "Calibrate when the trait applies: from prompts that should and should not call for it, " +
      "the layer and threshold on their hidden states that sort them best (by F1), which " +
      "routing and `when: {trait}` then read",
    request: { params, body: jsonBody(calibrateConditionSchema) },
    responses: {
      200: jsonAnswer(traitConditionSchema, "The condition, stored with the trait"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...BODY_ERRORS,
        400:
          `${INVALID}; or an example does not fit the base model's context, a layer is one it ` +
          "does not have, or the two sides read the same (param names the field)",
        ...NOT_FOUND,
        409: "The model is not ready (still training, or failed)",
        ...NODE_ERRORS,
      }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const { id, trait } = c.req.valid("param");
    const model = await requireModel(backend.db, c.get("caller").accountId, id);
    const { condition, promptTokens } = await calibrateTraitCondition(
      backend,
      model,
      trait,
      c.req.valid("json"),
    );
    meter(
      c,
      model.id,
      { promptTokens, completionTokens: 0, outcome: "completed" },
      { kind: "calibration" },
    );
    return c.json(toApiCondition(trait, condition), 200);
  },
);

conditionRoutes.openapi(
  createRoute({
    method: "get",
    path,
    tags,
    summary: "The trait's calibrated condition",
    request: { params },
    responses: {
      200: jsonAnswer(traitConditionSchema, "The condition"),
      ...errorAnswers({
        ...KEY_ERRORS,
        404: `${NOT_FOUND[404]}, or the trait has no condition (code condition_not_found)`,
      }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const { id, trait } = c.req.valid("param");
    const model = await requireModel(backend.db, c.get("caller").accountId, id);
    const condition = requireCondition(requireTrait(model, trait));
    return c.json(toApiCondition(trait, condition), 200);
  },
);

conditionRoutes.openapi(
  createRoute({
    method: "delete",
    path,
    tags,
    summary: "Forget the trait's condition: routing no longer turns it on",
    request: { params },
    responses: {
      200: jsonAnswer(traitConditionDeletedSchema, "The condition, forgotten"),
      ...errorAnswers({
        ...KEY_ERRORS,
        404: `${NOT_FOUND[404]}, or the trait has no condition (code condition_not_found)`,
      }),
    },
  }),
  async (c) => {
    const backend = backendFor(c.env);
    const { accountId } = c.get("caller");
    const { id, trait } = c.req.valid("param");
    const model = await requireModel(backend.db, accountId, id);
    const row = requireTrait(model, trait);
    requireCondition(row);
    await setCondition(backend.db, row, null);
    forgetSteerableModel(accountId, model.id);
    return c.json({ object: "trait.condition" as const, trait, deleted: true as const }, 200);
  },
);
