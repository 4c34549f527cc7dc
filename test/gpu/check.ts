// The GPU check: run on a machine with an NVIDIA GPU, with the CUDA backend selected:
//   STEER_BACKEND=cuda npx tsx test/gpu/check.ts [MODEL.gguf]
// It checks that llama.cpp found the GPU and offloaded the model, that logits and layer outputs
// still match the float64 reference, that steering still steers and concurrent requests with
// different steering still get what they get alone, and prints tokens/s. Prints one JSON object
// per check; exits non-zero when a check fails.
import { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import { ensureTestModel, readPlantedConcept } from "../../gpu-node/test-model/index.ts";
import { plantedControlVector } from "../../gpu-node/test-model/planted-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { loadReferenceModel, referenceForward } from "../reference/index.ts";

const modelPath = process.argv[2] ?? (await ensureTestModel());
let failed = false;
function report(check: string, ok: boolean, details: Record<string, unknown>) {
  failed ||= !ok;
  console.log(JSON.stringify({ check, ok, ...details }));
}

const devices = Engine.devices();
report(
  "gpu device found",
  devices.some((d) => d.type === "gpu"),
  { devices },
);

const file = await readGgufFile(modelPath);
const concept = readPlantedConcept(file.metadata);
const engine = await Engine.load(modelPath, { kvCacheType: "f32", flashAttention: false });
const cheerful = plantedControlVector(concept, engine.model.metadata.layerCount);
const messages = [{ role: "user" as const, content: "Tell me about your day." }];
const tokens = engine.model.tokenizeChat(messages);

// Logits and layer outputs against the reference, unsteered and steered.
const reference = loadReferenceModel(file);
for (const multiplier of [0, 0.4]) {
  const steering: Steering = [{ vector: cheerful, multiplier }];
  const layers = Array.from({ length: engine.model.metadata.layerCount }, (_, i) => i);
  const [captured] = await engine.captureTokens([tokens], {
    layers,
    allTokens: true,
    logits: true,
    steering,
  });
  const expected = referenceForward(reference, tokens, {
    controlVector: new Map(
      [...cheerful.directions].map(([l, d]) => [l, d.map((x) => x * multiplier)]),
    ),
    logitsFor: "all",
  });
  let worst = 0;
  tokens.forEach((_, p) => {
    worst = Math.max(worst, relativeError(captured?.logits[p] ?? [], expected.logits[p] ?? []));
  });
  report("logits match the float64 reference", worst < 1e-3, {
    multiplier,
    worstRelativeError: worst,
  });
}

// Steering still steers.
const write = async (multiplier: number) =>
  (
    await engine.complete({
      messages,
      maxNewTokens: 8,
      steering: [{ vector: cheerful, multiplier }],
    })
  ).text;
const texts = { gloomy: await write(-1), plain: await write(0), cheerful: await write(1) };
const count = (text: string, words: string[]) =>
  text.split(/\s+/).filter((w) => words.includes(w)).length;
report(
  "steering shifts the output",
  count(texts.cheerful, concept.positiveWords) >= 6 &&
    count(texts.gloomy, concept.negativeWords) >= 6,
  texts,
);

// Concurrency: different steering at once equals each alone.
const requests = [-1, -0.3, 0, 0.3, 1].map((multiplier) => ({
  messages,
  maxNewTokens: 16,
  sampling: { temperature: 0.8, seed: 7 },
  steering: [{ vector: cheerful, multiplier }],
}));
const alone = [];
for (const request of requests) alone.push((await engine.complete(request)).text);
const together = (await Promise.all(requests.map((r) => engine.complete(r)))).map((r) => r.text);
report(
  "concurrent requests get what they get alone",
  JSON.stringify(alone) === JSON.stringify(together),
  { alone, together },
);

// Speed, steered and not.
for (const multiplier of [0, 1]) {
  const start = performance.now();
  const result = await engine.complete({
    prompt: "Once upon a time",
    maxNewTokens: 256,
    steering: [{ vector: cheerful, multiplier }],
  });
  const seconds = (performance.now() - start) / 1000;
  report("speed", true, {
    multiplier,
    tokens: result.usage.completionTokens,
    tokensPerSecond: result.usage.completionTokens / seconds,
  });
}
await engine.close();
process.exitCode = failed ? 1 : 0;

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / scale;
}
