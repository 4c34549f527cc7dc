// Contender 4: node-llama-cpp's LlamaCompletion, on the same prebuilt llama.cpp libraries the
// engine links. Greedy, with its default repeat penalty turned off so that it samples exactly as
// the engine does. Run by run.ts as a child process (see child.ts).
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";
import { workerInput, workerOutput } from "../child.ts";
import { measureRunners, type Runner, seconds } from "../measure.ts";
import { GENERATION_PROMPT, promptOfLength, type WorkerInput } from "../workload.ts";
import { CONTENDER } from "./names.ts";

const { modelPath, workload, round } = workerInput<WorkerInput>();
const llama = await getLlama({
  gpu: false,
  build: "never",
  maxThreads: workload.threads,
  logLevel: LlamaLogLevel.error,
});
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({
  contextSize: workload.contextSize,
  batchSize: workload.batchSize,
  threads: { ideal: workload.threads, min: workload.threads },
  sequences: 1,
});
const sequence = context.getSequence();
const completion = new LlamaCompletion({ contextSequence: sequence });
const options = { temperature: 0, repeatPenalty: false } as const;

const prompt = promptOfLength(workload.promptTokens);
// LlamaCompletion prepends BOS itself.
const promptTokens = model.tokenize(prompt).length + 1;
if (promptTokens !== workload.promptTokens) {
  throw new Error(`the prompt is ${promptTokens} tokens, not ${workload.promptTokens}`);
}

const runner: Runner = {
  name: CONTENDER.nodeLlamaCpp,
  async processPrompt() {
    // A sequence keeps its tokens and reuses a matching prefix: forget them, or nothing is read.
    await sequence.clearHistory();
    const started = performance.now();
    await completion.generateCompletion(prompt, { ...options, maxTokens: 1 });
    return seconds(started);
  },
  async generate() {
    await sequence.clearHistory();
    let first: { at: number; tokens: number } | undefined;
    let tokens = 0;
    await completion.generateCompletion(GENERATION_PROMPT, {
      ...options,
      maxTokens: workload.generatedTokens,
      onToken(chunk) {
        first ??= { at: performance.now(), tokens: chunk.length };
        tokens += chunk.length;
      },
    });
    if (first === undefined) throw new Error("generation ended before it produced a token");
    // Timed from the first chunk's arrival, so the prompt's decode is left out.
    return { produced: tokens, timed: tokens - first.tokens, seconds: seconds(first.at) };
  },
};
workerOutput(await measureRunners([runner], workload, round));
