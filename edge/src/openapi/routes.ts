// The API's description, public: GET /openapi.json, the OpenAPI 3.1 document generated from the
// routes' own declarations (createRoute), and GET /docs, that document rendered by Scalar's API
// reference. Its script is served by this deployment as a static asset (edge/assets, copied from
// @scalar/api-reference by `npm install`): the page loads nothing from elsewhere.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import referenceScript from "../../assets/api-reference.js.txt";
import type { EdgeEnv } from "../env.ts";
import { TAGS } from "./tags.ts";

export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PATH = "/docs";
/** Where the reference's script is served from. */
export const REFERENCE_SCRIPT_PATH = "/docs/api-reference.js";

const INFO = {
  title: "Steer API",
  version: "v1",
  description:
    "A steerable LLM API: steerable models made from contrastive examples per trait (or from " +
    "a description, whose examples a generator writes), and " +
    "completions steered by a multiplier per trait. Every error is OpenAI's error object, whose " +
    "`param` names the request field at fault.",
};

/** Adds the document and the reference page to `app`, whose routes they describe. */
export function describe(app: OpenAPIHono<EdgeEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key: sk-steer-…",
  });
  registry.registerComponent("securitySchemes", "operator", {
    type: "http",
    scheme: "bearer",
    description: "The deployment's operator token (its OPERATOR_TOKEN secret)",
  });
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get(OPENAPI_PATH, (c) => {
    // Generated once per isolate: the routes do not change while it lives.
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: INFO,
      tags: Object.values(TAGS),
      security: [{ bearer: [] }],
    });
    return c.json({ ...document, servers: [{ url: new URL(c.req.url).origin }] });
  });
  app.get(REFERENCE_SCRIPT_PATH, (c) =>
    c.body(referenceScript, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=86400",
    }),
  );
  app.get(
    DOCS_PATH,
    Scalar({
      url: OPENAPI_PATH,
      cdn: REFERENCE_SCRIPT_PATH,
      pageTitle: `${INFO.title} reference`,
      defaultOpenAllTags: true,
      showDeveloperTools: "never",
      // Nothing from elsewhere: no web fonts, no telemetry, no AI agent.
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
    }),
  );
}
