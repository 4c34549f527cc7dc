// Contenders 1 and 2: Steer's engine unsteered, and steered by a control vector on every layer it
// can steer (1..n-1). Both share one loaded model and alternate. Run by run.ts as a child process
// (see child.ts).
import { Engine } from "../../../gpu-node/engine/engine.ts";
import type { Steering } from "../../../gpu-node/engine/steering.ts";
import { workerInput, workerOutput } from "../child.ts";
import { measureRunners, type Runner, seconds } from "../measure.ts";
import { GENERATION_PROMPT, promptOfLength, type WorkerInput } from "../workload.ts";
import { CONTENDER } from "./names.ts";

const { modelPath, workload, round } = workerInput<WorkerInput>();
const engine = await Engine.load(modelPath, {
  contextSize: workload.contextSize,
  batchSize: workload.batchSize,
  threads: workload.threads,
  // One request at a time, in one context: the same setup as the other contenders.
  lanes: 1,
  sequencesPerLane: 1,
});
const runners = [
  engineRunner(CONTENDER.engine, []),
  engineRunner(CONTENDER.engineSteered, everyLayerSteering()),
];
workerOutput(await measureRunners(runners, workload, round));

function engineRunner(name: string, steering: Steering): Runner {
  const common = { sampling: { temperature: 0 }, steering };
  return {
    name,
    async processPrompt() {
      const started = performance.now();
      const { usage } = await engine.complete({
        ...common,
        prompt: promptOfLength(workload.promptTokens),
        maxNewTokens: 1,
      });
      const elapsed = seconds(started);
      if (usage.promptTokens !== workload.promptTokens) {
        throw new Error(`the prompt is ${usage.promptTokens} tokens, not ${workload.promptTokens}`);
      }
      return elapsed;
    },
    async generate() {
      // Timed from the first text event, so the prompt's decode is left out.
      let first: { at: number; tokens: number } | undefined;
      const events = engine.generate({
        ...common,
        prompt: GENERATION_PROMPT,
        maxNewTokens: workload.generatedTokens,
      });
      for await (const event of events) {
        if (event.type === "text") first ??= { at: performance.now(), tokens: event.tokens.length };
        else if (first !== undefined) {
          const elapsed = seconds(first.at);
          const produced = event.usage.completionTokens;
          return { produced, timed: produced - first.tokens, seconds: elapsed };
        }
      }
      throw new Error("generation ended before it produced text");
    },
  };
}

/** A fixed direction of norm 1 on every steerable layer, at multiplier 2. */
function everyLayerSteering(): Steering {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const directions = new Map<number, Float32Array>();
  for (let layer = 1; layer < layerCount; layer++) {
    const direction = Float32Array.from({ length: embeddingSize }, (_, i) => Math.sin(layer + i));
    const norm = Math.hypot(...direction);
    directions.set(
      layer,
      direction.map((value) => value / norm),
    );
  }
  return [{ vector: { directions }, multiplier: 2 }];
}
