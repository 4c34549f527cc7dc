// The Worker's entry point: the app for requests, and the cron (wrangler.toml [triggers]) that
// reconciles steerable models still training and evaluations still running, so that their status
// moves on, and lost jobs are resubmitted, even while nobody reads them, and checks the GPU nodes'
// health (nodes/health.ts).
import { createApp } from "./app.ts";
import type { Bindings } from "./env.ts";
import { reconcileEvaluations } from "./evaluations/reconcile.ts";
import { backendFor } from "./lib/backend.ts";
import { checkNodes } from "./nodes/health.ts";
import { reconcileAll } from "./training/reconcile.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(_controller, env, context) {
    const backend = backendFor(env);
    context.waitUntil(
      Promise.all([
        reconcileAll(backend),
        reconcileEvaluations(backend),
        checkNodes(backend.db, backend.pool),
      ]),
    );
  },
} satisfies ExportedHandler<Bindings>;
