// The results as a Markdown table (readable in a terminal too), and the checks of the targets:
// steering costs at most 3%, and the engine runs at 95% or more of llama.cpp's native speed.

import { CONTENDER } from "./contenders/names.ts";
import { type Measurement, median } from "./measure.ts";
import type { BenchModel } from "./models.ts";

export interface ModelResults {
  model: BenchModel;
  measurements: Measurement[];
}

const TARGETS = [
  { contender: CONTENDER.engineSteered, baseline: CONTENDER.engine, atLeast: 0.97 },
  { contender: CONTENDER.engine, baseline: CONTENDER.llamaBench, atLeast: 0.95 },
];

export function formatTable(results: readonly ModelResults[]): string {
  const lines = [
    "| Model | Contender | Prompt tok/s | Generation tok/s | ÷ llama.cpp: prompt | generation |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const { model, measurements } of results) {
    const native = find(measurements, CONTENDER.llamaBench);
    for (const m of measurements) {
      lines.push(
        `| ${model.label} | ${m.name} | ${rate(m.promptTokensPerSecond)} | ` +
          `${rate(m.generatedTokensPerSecond)} | ${ratio(m, native, "promptTokensPerSecond")} | ` +
          `${ratio(m, native, "generatedTokensPerSecond")} |`,
      );
    }
  }
  return lines.join("\n");
}

export function formatTargets(results: readonly ModelResults[]): string {
  const lines: string[] = [];
  for (const { model, measurements } of results) {
    for (const { contender, baseline, atLeast } of TARGETS) {
      const subject = find(measurements, contender);
      const reference = find(measurements, baseline);
      const pp = ratio(subject, reference, "promptTokensPerSecond");
      const tg = ratio(subject, reference, "generatedTokensPerSecond");
      const met = [pp, tg].every((value) => Number(value) >= atLeast);
      lines.push(
        `${model.label}: ${contender} / ${baseline}: prompt ${pp}, generation ${tg} ` +
          `(target >= ${atLeast}: ${met ? "met" : "MISSED"})`,
      );
    }
  }
  return lines.join("\n");
}

export function formatNotes(results: readonly ModelResults[]): string {
  return results
    .flatMap(({ model, measurements }) =>
      measurements.flatMap((m) =>
        [...new Set(m.notes)].map((note) => `${model.label}, ${m.name}: ${note}`),
      ),
    )
    .join("\n");
}

type Rate = "promptTokensPerSecond" | "generatedTokensPerSecond";

function find(measurements: readonly Measurement[], name: string): Measurement | undefined {
  return measurements.find((m) => m.name === name);
}

/** Median, and the range of the samples when there are several. */
function rate(samples: readonly number[]): string {
  const spread =
    samples.length > 1
      ? ` (${Math.min(...samples).toFixed(1)}–${Math.max(...samples).toFixed(1)})`
      : "";
  return `${median(samples).toFixed(1)}${spread}`;
}

/**
 * The median over rounds of subject / baseline within the round: runs of one round are minutes
 * apart at most (the engine's steered and unsteered runs, seconds), so pairing them cancels much
 * of the machine's drift that a ratio of two medians would keep.
 */
function ratio(subject: Measurement | undefined, baseline: Measurement | undefined, key: Rate) {
  if (subject === undefined || baseline === undefined) return "n/a";
  const reference = baseline[key];
  return median(
    subject[key].map((value, round) => value / (reference[round] ?? Number.NaN)),
  ).toFixed(3);
}
