// The playground: a page that needs no key to load (it asks for one and keeps it in the browser),
// and its script, as modules the browser imports from one another. Everything it does goes through
// the public API, as any client would.
import { Hono } from "hono";
import type { EdgeEnv } from "../env.ts";
import { BASICS_SCRIPT } from "./basics.ts";
import { CHART_SCRIPT } from "./chart.ts";
import { EVALUATION_SCRIPT } from "./evaluation.ts";
import { PLAYGROUND_HTML } from "./page.ts";
import { PLAYGROUND_SCRIPT } from "./script.ts";
import { TRAITS_SCRIPT } from "./traits.ts";

export const PLAYGROUND_PATH = "/playground";

/** The script's modules by file name: app.js is the page's, and imports the others. */
const MODULES = new Map([
  ["app.js", PLAYGROUND_SCRIPT],
  ["basics.js", BASICS_SCRIPT],
  ["traits.js", TRAITS_SCRIPT],
  ["evaluation.js", EVALUATION_SCRIPT],
  ["chart.js", CHART_SCRIPT],
]);

export const playgroundRoutes = new Hono<EdgeEnv>()
  .get(PLAYGROUND_PATH, (c) => c.html(PLAYGROUND_HTML))
  .get("/playground/:module", (c) => {
    const source = MODULES.get(c.req.param("module"));
    if (source === undefined) return c.notFound();
    return c.body(source, 200, { "content-type": "text/javascript; charset=utf-8" });
  });
