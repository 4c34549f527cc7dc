// Condition calibration over HTTP (shared/node-api/conditions.ts): synchronous, its answer the
// calibration with its vector stored (gpu-node/conditions/calibration.ts).
import { OpenAPIHono } from "@hono/zod-openapi";
import { calibrateConditionRoute } from "../../../shared/node-api/conditions.ts";
import { calibrateCondition } from "../../conditions/calibration.ts";
import type { AppContext } from "../app.ts";

export function conditionRoutes({ engine, store }: AppContext): OpenAPIHono {
  return new OpenAPIHono().openapi(calibrateConditionRoute, async (c) =>
    c.json(await calibrateCondition(engine, store, c.req.valid("json")), 200),
  );
}
