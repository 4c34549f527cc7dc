// Presets over HTTP: PUT (201 created, 200 replaced), GET and DELETE /v1/presets/{name}, and
// GET /v1/presets.
import { type Context, Hono } from "hono";
import {
  type PresetDeleted,
  type PresetList,
  presetNameSchema,
  presetRequestSchema,
} from "../../../shared/api/presets.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import type { AppContext } from "../app.ts";

export function presetRoutes({ presets }: AppContext): Hono {
  const app = new Hono();
  app.get("/v1/presets", (c) =>
    c.json({ object: "list", data: presets.list() } satisfies PresetList),
  );
  app.put("/v1/presets/:name", async (c) => {
    const name = nameOf(c);
    const request = await parseJsonBody(c.req.raw, presetRequestSchema);
    const { preset, created } = await presets.put(name, request.vector_id, request.description);
    return c.json(preset, created ? 201 : 200);
  });
  app.get("/v1/presets/:name", (c) => c.json(presets.get(nameOf(c))));
  app.delete("/v1/presets/:name", async (c) => {
    const name = nameOf(c);
    await presets.delete(name);
    return c.json({ name, object: "preset", deleted: true } satisfies PresetDeleted);
  });
  return app;
}

function nameOf(c: Context): string {
  const parsed = presetNameSchema.safeParse(c.req.param("name"));
  if (!parsed.success) {
    const message = `name: ${parsed.error.issues[0]?.message ?? "invalid"}`;
    throw new ApiError(400, message, "invalid_request", "name");
  }
  return parsed.data;
}
