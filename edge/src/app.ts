// The edge Worker's app: every request gets an id and OpenAI-style errors; the API routes need a
// key. Routes live one file per resource in routes/.
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { ApiError } from "../../shared/http/api-error.ts";
import type { EdgeEnv } from "./env.ts";
import { authenticate } from "./middleware/auth.ts";

export function createApp(): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  app.use(requestId());
  app.onError((error, c) => {
    if (error instanceof ApiError) return error.response(c);
    console.error(error);
    return new ApiError(500, "internal server error", "internal_error").response(c);
  });
  app.notFound((c) =>
    new ApiError(404, `no route ${c.req.method} ${c.req.path}`, "not_found").response(c),
  );
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  const api = new Hono<EdgeEnv>();
  api.use(authenticate);
  app.route("/", api);
  return app;
}
