// Presets, the marketplace (presets/): GET /v1/presets lists them, POST /v1/presets/{name}/install
// copies one into the caller's account as a steerable model (training it when its vectors are not
// cached yet), POST /v1/presets publishes a ready model of the caller's, DELETE /v1/presets/{name}
// takes it off again.
import { Hono } from "hono";
import {
  installPresetSchema,
  type MarketplacePresetList,
  publishPresetSchema,
} from "../../../shared/api/presets-edge.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import type { EdgeEnv } from "../env.ts";
import { idempotent } from "../middleware/idempotency.ts";
import {
  installPreset,
  listPresets,
  publishPreset,
  unpublishPreset,
} from "../presets/marketplace.ts";
import { toApiModel } from "../training/models.ts";
import { reconcileLater, trainerFor } from "../training/reconcile.ts";

export const presetRoutes = new Hono<EdgeEnv>()
  .get("/", async (c) => {
    const list: MarketplacePresetList = {
      object: "list",
      data: await listPresets(trainerFor(c.env)),
    };
    return c.json(list);
  })
  .post("/", idempotent, async (c) => {
    const request = await parseJsonBody(c.req.raw, publishPresetSchema);
    const trainer = trainerFor(c.env);
    return c.json(await publishPreset(trainer, c.get("caller").accountId, request), 201);
  })
  .delete("/:name", async (c) => {
    const trainer = trainerFor(c.env);
    return c.json(await unpublishPreset(trainer, c.get("caller").accountId, c.req.param("name")));
  })
  .post("/:name/install", idempotent, async (c) => {
    const request = await parseJsonBody(c.req.raw, installPresetSchema, { optional: true });
    const trainer = trainerFor(c.env);
    const { accountId } = c.get("caller");
    const model = await installPreset(trainer, accountId, c.req.param("name"), request.base_model);
    reconcileLater(trainer, c.executionCtx, model);
    return c.json(toApiModel(model), 201);
  });
