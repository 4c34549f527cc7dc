// The edge Worker's app: every request gets an id and OpenAI-style errors; the API routes need a
// key, the operator's routes the operator token instead. Routes live one file per resource in
// routes/.
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { ApiError } from "../../shared/http/api-error.ts";
import type { EdgeEnv } from "./env.ts";
import { authenticate } from "./middleware/auth.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { openapiRoutes } from "./openapi/routes.ts";
import { playgroundRoutes } from "./playground/routes.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { chatRoutes } from "./routes/chat.ts";
import { completionRoutes } from "./routes/completions.ts";
import { keyRoutes } from "./routes/keys.ts";
import { modelRoutes } from "./routes/models.ts";
import { presetRoutes } from "./routes/presets.ts";
import { steerableModelRoutes } from "./routes/steerable-models.ts";
import { usageRoutes } from "./routes/usage.ts";
import { vectorRoutes } from "./routes/vectors.ts";

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
  app.route("/", playgroundRoutes);
  app.route("/", openapiRoutes);
  // Before the API: its routes answer here, so no API key is asked for nor any key's rate spent.
  app.route("/", accountRoutes);
  const api = new Hono<EdgeEnv>();
  api.use(authenticate, rateLimit);
  api.route("/", modelRoutes);
  api.route("/", chatRoutes);
  api.route("/", completionRoutes);
  api.route("/", keyRoutes);
  api.route("/", usageRoutes);
  api.route("/v1/steerable-models", vectorRoutes);
  api.route("/steerable-model", steerableModelRoutes({ listObject: false }));
  api.route("/v1/steerable-models", steerableModelRoutes({ listObject: true }));
  api.route("/v1/presets", presetRoutes);
  app.route("/", api);
  return app;
}
