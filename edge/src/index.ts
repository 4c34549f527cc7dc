// The Worker's entry point: the app for requests; the cron (wrangler.toml [triggers]) that
// reconciles steerable models still training and evaluations still running, so that their status
// moves on, and lost jobs are resubmitted, even while nobody reads them, and checks the GPU nodes'
// health (nodes/health.ts); the usage queue's consumer, which writes usage rows to D1; and each
// account's rate limiter, a Durable Object.
import { createApp } from "./app.ts";
import type { Bindings } from "./env.ts";
import { reconcileEvaluations } from "./evaluations/reconcile.ts";
import { backendFor } from "./lib/backend.ts";
import { consumeUsage, type UsageMessage } from "./lib/usage.ts";
import { checkNodes } from "./nodes/health.ts";
import { reconcileAll } from "./training/reconcile.ts";

export { RateLimiter } from "./lib/rate-limiter.ts";

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
  queue(batch, env) {
    return consumeUsage(batch, env.DB);
  },
} satisfies ExportedHandler<Bindings, UsageMessage>;
