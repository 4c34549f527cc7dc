// The GPU check: run on a machine with an NVIDIA GPU, with the CUDA backend selected:
//   STEER_BACKEND=cuda npx tsx test/gpu/check.ts [MODEL.gguf]
// It checks that llama.cpp found the GPU and offloaded the model, that logits still match the
// float64 reference, that steering still steers and concurrent requests with different steering
// still get what they get alone, and prints tokens/s. Prints one JSON object per check; exits
// non-zero when a check fails.
import { Engine } from "../../gpu-node/engine/engine.ts";
import { type ComposedSteering, composeSteering } from "../../gpu-node/engine/steering.ts";
import { ensureTestModel } from "../../gpu-node/test-model/index.ts";
import { loadReferenceModelFile, referenceForward } from "../reference/index.ts";
import { relativeError } from "../support/compare.ts";
import { MixedBatch } from "../support/mixed-batch.ts";
import {
  countWords,
  DAY_PROMPT,
  readPlanted,
  steeredAnswers,
  summedDirections,
} from "../support/planted.ts";

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

const engine = await Engine.load(modelPath, {
  cacheTypeK: "f32",
  cacheTypeV: "f32",
  flashAttention: false,
});
const planted = await readPlanted(modelPath, engine.model.metadata.layerCount);
const { cheerful, concept } = planted;
const tokens = engine.model.tokenizeChat(DAY_PROMPT);

// Logits against the reference, unsteered and steered.
const reference = await loadReferenceModelFile(modelPath);
for (const multiplier of [0, 0.4]) {
  const steering = [{ vector: cheerful, multiplier }];
  const [captured] = await engine.captureTokens([tokens], {
    layers: [1],
    allTokens: true,
    logits: true,
    steering,
  });
  const expected = referenceForward(reference, tokens, {
    controlVector: summedDirections(steering),
    logitsFor: "all",
  });
  const worst = Math.max(
    ...tokens.map((_, p) => relativeError(captured?.logits[p] ?? [], expected.logits[p] ?? [])),
  );
  // GPU matrix products round through reduced precision (TF32/F16 tensor cores): 1e-2 of the
  // largest logit, where the CPU build stays under 1e-5 (test/engine/reference.test.ts).
  report("logits match the float64 reference", worst < 1e-2, {
    multiplier,
    worstRelativeError: worst,
  });
}

const answers = await steeredAnswers(engine, planted);
report(
  "steering shifts the output",
  countWords(answers.cheerful, concept.positiveWords) >= 6 &&
    countWords(answers.gloomy, concept.negativeWords) >= 6,
  answers,
);

// Row steering on the GPU, where layer outputs live in device memory: a batch steered through it
// must give exactly the logits llama.cpp's own control vector gives the same batch.
const shape = engine.model.metadata;
const composed = composeSteering(
  [{ vector: cheerful, multiplier: 0.4 }],
  shape,
) as ComposedSteering;
const mixed = new MixedBatch(engine, ["The weather today", "My favourite food is a", "Write"], 0);
const byContext = await mixed.lastLogits([0, 1, 2], undefined, composed);
const byRows = await mixed.lastLogits([0, 1, 2], {
  vectors: [composed],
  rows: mixed.rowsOf([0, 0, 0]),
});
const plain = await mixed.lastLogits([0, 1, 2], undefined, null);
report(
  "row steering adds exactly what the control vector adds",
  JSON.stringify(byRows.map((row) => Array.from(row))) ===
    JSON.stringify(byContext.map((row) => Array.from(row))) &&
    relativeError(plain[0] ?? [], byContext[0] ?? []) > 1e-3,
  {
    worstDifference: Math.max(...byRows.map((row, i) => relativeError(row, byContext[i] ?? []))),
  },
);

// Steered requests only, greedy: an unsteered request on the test model writes gibberish from
// near-flat logits, where the rounding of a batched decode (its kernels differ from a lone one's)
// can decide a token, as in any batched server; that is not what this checks.
const requests = [-1, -0.3, 0.3, 1].map((multiplier) => ({
  messages: DAY_PROMPT,
  maxNewTokens: 16,
  sampling: { temperature: 0 },
  steering: [{ vector: cheerful, multiplier }],
}));
const alone = [];
for (const request of requests) alone.push((await engine.complete(request)).text);
const together = (await Promise.all(requests.map((r) => engine.complete(r)))).map((r) => r.text);
report(
  "concurrent requests steered differently get what they get alone",
  JSON.stringify(alone) === JSON.stringify(together),
  {
    alone,
    together,
  },
);

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
