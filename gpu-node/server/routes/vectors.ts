// The vector store over HTTP (shared/node-api/vectors.ts).
import { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../../../shared/http/api-error.ts";
import {
  deleteVectorRoute,
  getVectorRoute,
  listVectorsRoute,
  uploadVectorRoute,
} from "../../../shared/node-api/vectors.ts";
import type { AppContext } from "../app.ts";

export function vectorRoutes({ store }: AppContext): OpenAPIHono {
  return new OpenAPIHono()
    .openapi(uploadVectorRoute, async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length === 0) {
        throw new ApiError(
          400,
          "the body must be a control-vector GGUF file",
          "empty_body",
          "body",
        );
      }
      return c.json(await store.put(bytes), 201);
    })
    .openapi(listVectorsRoute, (c) => c.json({ object: "list" as const, data: store.list() }, 200))
    .openapi(getVectorRoute, async (c) => {
      const bytes = await store.bytes(c.req.valid("param").id);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/octet-stream",
      });
    })
    .openapi(deleteVectorRoute, async (c) => {
      const { id } = c.req.valid("param");
      await store.delete(id);
      return c.json({ id, object: "vector" as const, deleted: true as const }, 200);
    });
}
