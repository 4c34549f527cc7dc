// The serving benchmark's table: per scenario, the median over rounds (and range) of throughput,
// its ratio to the in-process unsteered engine, and request latency and time to first text.
import { median } from "../generation/measure.ts";
import type { LoadResult } from "./load.ts";

export interface ReportInput {
  model: string;
  settings: Record<string, number>;
  rows: { name: string; rounds: { result: LoadResult; disturbed: boolean }[] }[];
}

export function formatReport({ model, settings, rows }: ReportInput): string {
  const baseline = rows[0]?.rounds ?? [];
  const lines = [
    `Model: ${model}. ${Object.entries(settings)
      .map(([key, value]) => `${key} ${value}`)
      .join(", ")}.`,
    "",
    "| scenario | tokens/s (range) | vs engine | latency p50 / p99 (s) | first text p50 / p99 (s) |",
    "|---|---|---|---|---|",
  ];
  for (const { name, rounds } of rows) {
    const results = rounds.map((r) => r.result);
    const rates = results.map((r) => r.tokensPerSecond);
    const ratio = ratioTo(baseline, rounds);
    const seconds = (pick: (r: LoadResult) => number) => median(results.map(pick)).toFixed(2);
    lines.push(
      `| ${name}${rounds.some((r) => r.disturbed) ? " *" : ""} | ${median(rates).toFixed(1)} ` +
        `(${Math.min(...rates).toFixed(1)}-${Math.max(...rates).toFixed(1)}) | ${ratio.toFixed(3)} | ` +
        `${seconds((r) => r.latency.p50)} / ${seconds((r) => r.latency.p99)} | ` +
        `${seconds((r) => r.firstText.p50)} / ${seconds((r) => r.firstText.p99)} |`,
    );
  }
  const steeredHttp = rows.find((row) => row.name === "http, steered");
  if (steeredHttp) {
    const ratio = ratioTo(baseline, steeredHttp.rounds);
    lines.push(
      "",
      `Target: HTTP and steering together cost under 5% of throughput: ${ratio.toFixed(3)} ` +
        `of the engine's (${ratio >= 0.95 ? "met" : "not met"}).`,
    );
  }
  if (rows.some((row) => row.rounds.some((r) => r.disturbed))) {
    lines.push("", "* other processes were busy during a run of this scenario.");
  }
  return lines.join("\n");
}

type Rounds = ReportInput["rows"][number]["rounds"];

/** Throughput over the baseline's: the median of per-round ratios (a round's runs are closest in
 * time, so they share the machine's slow moments). */
function ratioTo(baseline: Rounds, rounds: Rounds): number {
  return median(
    rounds.map(
      (r, i) => r.result.tokensPerSecond / (baseline[i]?.result.tokensPerSecond ?? Number.NaN),
    ),
  );
}
