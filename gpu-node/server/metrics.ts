// GET /metrics in Prometheus's text format: the engine's queue, what the node has served, its
// recent token rate, and the extraction, evaluation and dataset jobs by status
// (shared/node-api/models.ts's metricsRoute).
import { OpenAPIHono } from "@hono/zod-openapi";
import { metricsRoute } from "../../shared/node-api/models.ts";
import type { Usage } from "../engine/generation.ts";
import type { AppContext } from "./app.ts";
import type { Jobs } from "./jobs.ts";
import { RateWindow } from "./rate-window.ts";

/** The window of steer_tokens_per_second. */
const RATE_WINDOW_SECONDS = 10;

/** Counters the routes add to. */
export class Metrics {
  tokensGenerated = 0;
  promptTokens = 0;
  completionsServed = 0;
  private readonly recentTokens = new RateWindow(RATE_WINDOW_SECONDS);

  /** Completion tokens just generated, as they come (a cancelled generation's count too). */
  generated(tokens: number): void {
    this.tokensGenerated += tokens;
    this.recentTokens.add(tokens);
  }

  /** One completion served to its end. */
  completed(usage: Usage): void {
    this.completionsServed++;
    this.promptTokens += usage.promptTokens;
  }

  tokensPerSecond(): number {
    return this.recentTokens.perSecond();
  }
}

export function metricsRoutes({
  engine,
  metrics,
  extractions,
  evaluations,
  datasets,
}: AppContext): OpenAPIHono {
  return new OpenAPIHono().openapi(metricsRoute, (c) => {
    const { queueDepth, activeRequests } = engine.stats;
    const lines = [
      ...metric("steer_queue_depth", "gauge", "Requests waiting for a slot.", [["", queueDepth]]),
      ...metric("steer_active_requests", "gauge", "Requests generating now.", [
        ["", activeRequests],
      ]),
      ...metric("steer_tokens_generated_total", "counter", "Completion tokens generated.", [
        ["", metrics.tokensGenerated],
      ]),
      ...metric(
        "steer_tokens_per_second",
        "gauge",
        `Completion tokens generated per second over the last ${RATE_WINDOW_SECONDS} s.`,
        [["", metrics.tokensPerSecond()]],
      ),
      ...metric("steer_prompt_tokens_total", "counter", "Prompt tokens of completions served.", [
        ["", metrics.promptTokens],
      ]),
      ...metric("steer_completions_total", "counter", "Completions served.", [
        ["", metrics.completionsServed],
      ]),
      ...jobMetric("steer_extraction_jobs", "Extraction jobs by status.", extractions),
      ...jobMetric("steer_evaluation_jobs", "Evaluation jobs by status.", evaluations),
      ...jobMetric("steer_dataset_jobs", "Dataset jobs by status.", datasets),
    ];
    return c.text(`${lines.join("\n")}\n`, 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
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

/** A gauge of a job queue's jobs, one series per status. */
function jobMetric(name: string, help: string, jobs: Pick<Jobs<never, never>, "counts">) {
  const counts = Object.entries(jobs.counts());
  return metric(
    name,
    "gauge",
    help,
    counts.map(([status, n]) => [`{status="${status}"}`, n]),
  );
}
