// The vector store over HTTP.
import { Hono } from "hono";
import type { VectorDeleted, VectorList } from "../../../shared/api/vectors.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { AppContext } from "../app.ts";

export function vectorRoutes({ store, presets }: AppContext): Hono {
  const app = new Hono();
  app.post("/v1/vectors", async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) {
      throw new ApiError(400, "the body must be a control-vector GGUF file", "empty_body", "body");
    }
    return c.json(await store.put(bytes), 201);
  });
  app.get("/v1/vectors", (c) =>
    c.json({ object: "list", data: store.list() } satisfies VectorList),
  );
  app.get("/v1/vectors/:id", async (c) => {
    const bytes = await store.bytes(c.req.param("id"));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
    });
  });
  app.delete("/v1/vectors/:id", async (c) => {
    const id = c.req.param("id");
    await presets.deleteVector(id);
    return c.json({ id, object: "vector", deleted: true } satisfies VectorDeleted);
  });
  return app;
}
