// GET /metrics in Prometheus's text format: the engine's queue, what the node has served, and the
// extraction jobs by status.
import { Hono } from "hono";
import type { AppContext } from "./app.ts";

/** Counters the routes add to. */
export class Metrics {
  tokensGenerated = 0;
  completionsServed = 0;

  /** One finished completion of `completionTokens` tokens. */
  completed(completionTokens: number): void {
    this.completionsServed++;
    this.tokensGenerated += completionTokens;
  }
}

export function metricsRoutes({ engine, metrics, extractions }: AppContext): Hono {
  const app = new Hono();
  app.get("/metrics", (c) => {
    const { queueDepth, activeRequests } = engine.stats;
    const lines = [
      ...metric("steer_queue_depth", "gauge", "Requests waiting for a slot.", [["", queueDepth]]),
      ...metric("steer_active_requests", "gauge", "Requests generating now.", [
        ["", activeRequests],
      ]),
      ...metric("steer_tokens_generated_total", "counter", "Completion tokens generated.", [
        ["", metrics.tokensGenerated],
      ]),
      ...metric("steer_completions_total", "counter", "Completions served.", [
        ["", metrics.completionsServed],
      ]),
      ...metric(
        "steer_extraction_jobs",
        "gauge",
        "Extraction jobs by status.",
        Object.entries(extractions.counts()).map(([status, n]) => [`{status="${status}"}`, n]),
      ),
    ];
    return c.text(`${lines.join("\n")}\n`, 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
  return app;
}

function metric(
  name: string,
  type: "gauge" | "counter",
  help: string,
  samples: [labels: string, value: number][],
): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...samples.map(([labels, value]) => `${name}${labels} ${value}`),
  ];
}
