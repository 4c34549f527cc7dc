// The Worker's entry point: the app for requests, and the cron (wrangler.toml [triggers]) that
// reconciles steerable models still training, so that their status moves on, and lost jobs are
// resubmitted, even while nobody reads them.
import { createApp } from "./app.ts";
import type { Bindings } from "./env.ts";
import { backendFor } from "./lib/backend.ts";
import { reconcileAll } from "./training/reconcile.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(_controller, env, context) {
    context.waitUntil(reconcileAll(backendFor(env)));
  },
} satisfies ExportedHandler<Bindings>;
