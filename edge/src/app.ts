// The edge Worker's app: every request gets an id and OpenAI-style errors, and a body no larger
// than a GPU node reads; the API routes need a key, the operator's routes the operator token
// instead. Routes live one file per resource in routes/, each declared with createRoute: the
// declarations are the OpenAPI document (openapi/routes.ts), and the schemas they name are what
// requests are checked against.
import { OpenAPIHono } from "@hono/zod-openapi";
import { except } from "hono/combine";
import { ApiError, rejectInvalid, toApiError } from "../../shared/http/api-error.ts";
import { limitBody } from "../../shared/http/body-limit.ts";
import { MAX_JSON_BODY_BYTES } from "../../shared/limits.ts";
import type { EdgeEnv } from "./env.ts";
import { authenticate } from "./middleware/auth.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { describe } from "./openapi/routes.ts";
import { playgroundRoutes } from "./playground/routes.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { chatRoutes } from "./routes/chat.ts";
import { completionRoutes } from "./routes/completions.ts";
import { conditionRoutes } from "./routes/conditions.ts";
import { evaluationRoutes } from "./routes/evaluations.ts";
import { keyRoutes } from "./routes/keys.ts";
import { MMLU_FILE_PATHS, mmluRoutes } from "./routes/mmlu.ts";
import { modelRoutes } from "./routes/models.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { presetRoutes } from "./routes/presets.ts";
import { rootRoutes } from "./routes/root.ts";
import { steerableModelRoutes } from "./routes/steerable-models.ts";
import { usageRoutes } from "./routes/usage.ts";
import { IMPORT_PATH, vectorRoutes } from "./routes/vectors.ts";

export function createApp(): OpenAPIHono<EdgeEnv> {
  const app = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });
  app.use(requestId);
  // Every route's body is JSON, which a GPU node reads up to MAX_JSON_BODY_BYTES: a larger one is
  // refused here, before it is read or forwarded. The vector import and the MMLU upload, whose
  // bodies are files, have limits of their own (routes/vectors.ts, routes/mmlu.ts).
  app.use(except([IMPORT_PATH, MMLU_FILE_PATHS], limitBody(MAX_JSON_BODY_BYTES)));
  app.onError((error, c) => {
    const answer = toApiError(error);
    if (answer.status === 500) console.error(error);
    return answer.response(c);
  });
  app.notFound((c) =>
    new ApiError(404, `no route ${c.req.method} ${c.req.path}`, "not_found").response(c),
  );
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  // Browsers ask every page's origin for one; it has none, and needs no key to say so.
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.route("/", playgroundRoutes);
  describe(app);
  // Before the API: the operator's routes answer here, so no API key is asked for nor any key's
  // rate spent.
  app.route("/", accountRoutes);
  app.route("/", mmluRoutes);
  app.route("/", nodeRoutes);
  const api = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });
  api.use(authenticate, rateLimit);
  api.route("/", rootRoutes);
  api.route("/", modelRoutes);
  api.route("/", chatRoutes);
  api.route("/", completionRoutes);
  api.route("/", keyRoutes);
  api.route("/", usageRoutes);
  api.route("/", vectorRoutes);
  api.route("/steerable-model", steerableModelRoutes("/steerable-model"));
  api.route("/v1/steerable-models", steerableModelRoutes("/v1/steerable-models"));
  api.route("/", conditionRoutes);
  api.route("/", presetRoutes);
  api.route("/", evaluationRoutes);
  app.route("/", api);
  return app;
}
