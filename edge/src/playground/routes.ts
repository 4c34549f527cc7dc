// The playground: a page that needs no key to load (it asks for one and keeps it in the browser),
// and its script. Everything it does goes through the public API, as any client would.
import { Hono } from "hono";
import type { EdgeEnv } from "../env.ts";
import { PLAYGROUND_HTML } from "./page.ts";
import { PLAYGROUND_SCRIPT } from "./script.ts";

export const PLAYGROUND_PATH = "/playground";

export const playgroundRoutes = new Hono<EdgeEnv>()
  .get(PLAYGROUND_PATH, (c) => c.html(PLAYGROUND_HTML))
  .get("/playground/app.js", (c) =>
    c.body(PLAYGROUND_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
