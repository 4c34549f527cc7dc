// GET /: the original API's health check, which its client calls with the key (health_check), and
// where to go from here.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer } from "../../../shared/http/openapi.ts";
import { KEY_ERRORS } from "../api/errors.ts";
import { rootAnswerSchema } from "../api/root.ts";
import type { EdgeEnv } from "../env.ts";
import { DOCS_PATH, OPENAPI_PATH } from "../openapi/routes.ts";
import { TAGS } from "../openapi/tags.ts";
import { PLAYGROUND_PATH } from "../playground/routes.ts";

const route = createRoute({
  method: "get",
  path: "/",
  tags: [TAGS.original.name],
  summary: "Check the API and your key: 200 when both work",
  responses: {
    200: jsonAnswer(rootAnswerSchema, "The API works and the key is valid"),
    ...errorAnswers(KEY_ERRORS),
  },
});

export const rootRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid }).openapi(
  route,
  (c) =>
    c.json(
      {
        status: "success" as const,
        message: "Hello from Steer API",
        docs: DOCS_PATH,
        openapi: OPENAPI_PATH,
        playground: PLAYGROUND_PATH,
      },
      200,
    ),
);
