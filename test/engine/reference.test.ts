// The engine computes what the model defines: llama.cpp's logits and layer outputs match a plain
// float64 forward pass of the same weights, with and without control vectors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import { readPlantedConcept } from "../../gpu-node/test-model/index.ts";
import { plantedControlVector } from "../../gpu-node/test-model/planted-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { loadReferenceModel, type ReferenceModel, referenceForward } from "../reference/index.ts";
import { loadTestEngine, randomControlVector, testModelPath } from "../support/engine.ts";
import { chatPromptTokens } from "../support/llama3-prompts.ts";

let engine: Engine;
let reference: ReferenceModel;
let steering: Steering;

beforeAll(async () => {
  // An F32 cache and plain attention keep llama.cpp within float32 rounding of the exact
  // computation (CPU flash attention and the default F16 cache round through half precision).
  engine = await loadTestEngine({ kvCacheType: "f32", flashAttention: false });
  const file = await readGgufFile(testModelPath);
  reference = loadReferenceModel(file);
  const { layerCount, embeddingSize } = engine.model.metadata;
  // Two vectors over several layers: the planted trait, and noise on layers 1 and 2 only.
  const noise = randomControlVector(5, 3, embeddingSize, 0.5);
  steering = [
    {
      vector: plantedControlVector(readPlantedConcept(file.metadata), layerCount),
      multiplier: 0.4,
    },
    { vector: noise, multiplier: 1 },
  ];
});
afterAll(() => engine.close());

/** The reference's view of a steering spec: the summed direction per layer. */
function summed(spec: Steering): Map<number, Float64Array> {
  const layers = new Map<number, Float64Array>();
  for (const { vector, multiplier } of spec) {
    for (const [layer, direction] of vector.directions) {
      const sum = layers.get(layer) ?? new Float64Array(direction.length);
      direction.forEach((x, i) => {
        sum[i] = (sum[i] as number) + multiplier * x;
      });
      layers.set(layer, sum);
    }
  }
  return layers;
}

/** Largest absolute difference, relative to the largest reference magnitude. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / scale;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

describe("engine against the float64 reference", () => {
  const prompt = "Tell me about your day.";

  it("tokenizes chat prompts exactly as the Hugging Face tokenizer does", () => {
    expect(engine.model.tokenizeChat([{ role: "user", content: prompt }])).toEqual(
      chatPromptTokens(prompt),
    );
  });

  for (const steered of [false, true]) {
    it(`matches logits and every layer's output at every token${steered ? ", steered on several layers" : ""}`, async () => {
      const tokens = chatPromptTokens(prompt);
      const { layerCount, embeddingSize } = engine.model.metadata;
      const layers = Array.from({ length: layerCount }, (_, i) => i);
      const [captured] = await engine.captureTokens([tokens], {
        layers,
        allTokens: true,
        logits: true,
        steering: steered ? steering : [],
      });
      const expected = referenceForward(reference, tokens, {
        controlVector: steered ? summed(steering) : undefined,
        logitsFor: "all",
      });
      tokens.forEach((_, position) => {
        expect(
          relativeError(captured?.logits[position] ?? [], expected.logits[position] ?? []),
        ).toBeLessThan(1e-5);
        for (const layer of layers) {
          const state = captured?.states
            .get(layer)
            ?.subarray(position * embeddingSize, (position + 1) * embeddingSize);
          expect(
            relativeError(state ?? [], expected.layerOutputs[layer]?.[position] ?? []),
          ).toBeLessThan(1e-5);
        }
      });
    });
  }

  it("generates the reference's greedy continuation, steered", async () => {
    const tokens = chatPromptTokens(prompt);
    const generated: number[] = [];
    for await (const event of engine.generate({
      messages: [{ role: "user", content: prompt }],
      maxNewTokens: 6,
      steering,
    })) {
      if (event.type === "text") generated.push(...event.tokens);
    }
    const expected: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { logits } = referenceForward(reference, [...tokens, ...expected], {
        controlVector: summed(steering),
        logitsFor: "last",
      });
      expected.push(argmax(logits.at(-1) ?? []));
    }
    expect(generated).toEqual(expected);
  });
});
