// Steerable models, the product's original endpoints with their original shapes: POST creates one
// and answers at once (status pending: its traits train on the GPU nodes, see training/), GET reads
// one or a page of the caller's, newest first, DELETE removes one. Served under /steerable-model
// and /v1/steerable-models, where a list also says object: "list". Every read reconciles the
// models it returns with their jobs, so their status is current.
import { Hono } from "hono";
import {
  createSteerableModelSchema,
  listQuerySchema,
  type SteerableModelDeleted,
} from "../../../shared/api/steerable-models.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import { parseQuery } from "../../../shared/http/query.ts";
import type { EdgeEnv } from "../env.ts";
import { forgetSteerableModel } from "../inference/target.ts";
import { idempotent } from "../middleware/idempotency.ts";
import { requireServedModel } from "../nodes/base-models.ts";
import {
  deleteModel,
  insertModel,
  listModels,
  requireModel,
  toApiModel,
} from "../training/models.ts";
import { cancelJobs, reconcileLater, reconcileModel, trainerFor } from "../training/reconcile.ts";

export function steerableModelRoutes({ listObject }: { listObject: boolean }) {
  return new Hono<EdgeEnv>()
    .post("/", idempotent, async (c) => {
      const request = await parseJsonBody(c.req.raw, createSteerableModelSchema);
      const trainer = trainerFor(c.env);
      const model = await insertModel(trainer.db, {
        accountId: c.get("caller").accountId,
        label: request.model_label,
        baseModel: (await requireServedModel(trainer.pool, request.model_label, "model_label")).id,
        promptList: request.prompt_list,
        dimensions: request.control_dimensions,
      });
      reconcileLater(trainer, c.executionCtx, model);
      return c.json(toApiModel(model), 201);
    })
    .get("/", async (c) => {
      const page = parseQuery(c.req.raw, listQuerySchema);
      const { accountId } = c.get("caller");
      const trainer = trainerFor(c.env);
      const models = await listModels(trainer.db, accountId, page);
      await Promise.all(models.map((model) => reconcileModel(trainer, model)));
      const data = (await listModels(trainer.db, accountId, page)).map(toApiModel);
      return c.json(listObject ? { object: "list", data } : { data });
    })
    .get("/:id", async (c) => {
      const trainer = trainerFor(c.env);
      const { accountId } = c.get("caller");
      await reconcileModel(trainer, await requireModel(trainer.db, accountId, c.req.param("id")));
      return c.json(toApiModel(await requireModel(trainer.db, accountId, c.req.param("id"))));
    })
    .delete("/:id", async (c) => {
      const trainer = trainerFor(c.env);
      const { accountId } = c.get("caller");
      const model = await requireModel(trainer.db, accountId, c.req.param("id"));
      await deleteModel(trainer.db, model.id);
      forgetSteerableModel(accountId, model.id);
      // Its vectors stay in R2: content-addressed, they may be shared by other models and presets.
      c.executionCtx.waitUntil(cancelJobs(trainer, model.traits));
      const deleted: SteerableModelDeleted = {
        id: model.id,
        object: "steerable_model",
        deleted: true,
      };
      return c.json(deleted);
    });
}
