// The API's description, public: GET /openapi.json (OpenAPI 3.1, with this server's origin) and
// GET /docs (the same document as a page).
import { Hono } from "hono";
import type { EdgeEnv } from "../env.ts";
import { openApiDocument } from "./document.ts";
import { referencePage } from "./reference-page.ts";

export const openapiRoutes = new Hono<EdgeEnv>()
  .get("/openapi.json", (c) =>
    c.json({ ...openApiDocument(), servers: [{ url: new URL(c.req.url).origin }] }),
  )
  .get("/docs", (c) => c.html(referencePage(openApiDocument())));
