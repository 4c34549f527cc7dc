// Serving: throughput and latency of N concurrent clients, each sending chat completions one after
// another, served four ways side by side on the same model and settings:
//   1. the engine called in-process, unsteered (the baseline)
//   2. the engine in-process, each client steering by its own vector
//   3. `steer serve` over loopback HTTP, streamed, unsteered
//   4. `steer serve`, streamed, each client steering by its own vector
//   5. for comparison, 2 without row steering: a context per client, taking turns
// Target: 4 keeps at least 95% of 1's throughput (HTTP and steering together cost under 5%).
// Usage: npx tsx bench/serve/run.ts [--quick] [--model tiny]
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import { type ControlVector, encodeControlVector } from "../../shared/control-vector.ts";
import type { VectorObject } from "../../shared/node-api/vectors.ts";
import { startServer } from "../../test/server/server-process.ts";
import { ensureLlamaTools } from "../generation/build-llama.ts";
import { whenUndisturbed } from "../generation/machine.ts";
import { turnOrder } from "../generation/measure.ts";
import { type BenchModel, llama1bShapedModel, testModel } from "../generation/models.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { formatReport } from "./report.ts";
import { engineScenario, httpScenario, type Load, type Scenario } from "./scenarios.ts";

const quick = process.argv.includes("--quick");
const settings = {
  clients: 4,
  requestsPerClient: quick ? 2 : 4,
  rounds: quick ? 1 : 3,
  threads: availableParallelism(),
  contextSize: 1024,
};
const load: Load = {
  messages: (client) => [
    { role: "user", content: `Tell me a long story about ${TOPICS[client % TOPICS.length]}.` },
  ],
  maxTokens: quick ? 16 : 32,
};
const TOPICS = ["a lighthouse", "two rival bakers", "a lost satellite", "the first snow"];

const model = await benchModel();
const engine = await Engine.load(model.path, {
  contextSize: settings.contextSize,
  threads: settings.threads,
});
// Row steering's alternative: llama.cpp's one vector per context, so a context per steering.
const lanePerClient = await Engine.load(model.path, {
  contextSize: settings.contextSize,
  threads: settings.threads,
  lanes: settings.clients,
  sequencesPerLane: 1,
});
const vectors = Array.from({ length: settings.clients }, (_, client) => randomVector(client + 1));
const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-bench-serve-"));
const server = await startServer({
  model: model.path,
  vectorsDir,
  contextSize: settings.contextSize,
  threads: settings.threads,
});
try {
  const ids = await Promise.all(vectors.map(upload));
  const steering = (client: number): Steering => [
    { vector: vectors[client] as ControlVector, multiplier: 2 },
  ];
  const scenarios: Scenario[] = [
    engineScenario("engine", engine, load, () => []),
    engineScenario("engine, steered", engine, load, steering),
    httpScenario("http", server.url, load, () => ({})),
    httpScenario("http, steered", server.url, load, (client) => ({ [ids[client] as string]: 2 })),
    engineScenario("engine, steered, a context each", lanePerClient, load, steering),
  ];
  console.error(`${model.label}: warming up`);
  for (const scenario of scenarios) await runLoad(settings.clients, 1, scenario.send);
  const results: { result: LoadResult; disturbed: boolean }[][] = scenarios.map(() => []);
  for (let round = 0; round < settings.rounds; round++) {
    console.error(`${model.label}: round ${round + 1} of ${settings.rounds}`);
    for (const index of turnOrder(scenarios.length, round)) {
      const scenario = scenarios[index] as Scenario;
      const measured = await whenUndisturbed(settings.threads + 2, () =>
        runLoad(settings.clients, settings.requestsPerClient, scenario.send),
      );
      results[index]?.push(measured);
    }
  }
  console.log(
    formatReport({
      model: model.label,
      settings: { ...settings, maxTokens: load.maxTokens },
      rows: scenarios.map((scenario, i) => ({ name: scenario.name, rounds: results[i] ?? [] })),
    }),
  );
} finally {
  await server.stop();
  await engine.close();
  await lanePerClient.close();
  await rm(vectorsDir, { recursive: true, force: true });
}

async function benchModel(): Promise<BenchModel> {
  const choice = process.argv[process.argv.indexOf("--model") + 1];
  if (process.argv.includes("--model") && choice === "tiny") return testModel();
  return llama1bShapedModel(ensureLlamaTools()["llama-quantize"], settings.threads);
}

/** A unit direction on every steerable layer, different for every seed. */
function randomVector(seed: number): ControlVector {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const directions = new Map<number, Float32Array>();
  for (let layer = 1; layer < layerCount; layer++) {
    const direction = Float32Array.from({ length: embeddingSize }, (_, i) =>
      Math.sin(seed * 7919 + layer * 104_729 + i),
    );
    const norm = Math.hypot(...direction);
    directions.set(
      layer,
      direction.map((value) => value / norm),
    );
  }
  return { directions };
}

async function upload(vector: ControlVector): Promise<string> {
  const response = await fetch(`${server.url}/v1/vectors`, {
    method: "POST",
    body: encodeControlVector(vector) as Uint8Array<ArrayBuffer>,
  });
  if (!response.ok) throw new Error(`uploading a vector answered ${response.status}`);
  return ((await response.json()) as VectorObject).id;
}
