// The engine computes what the model defines: llama.cpp's logits and layer outputs match a plain
// float64 forward pass of the same weights, with and without control vectors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import {
  loadReferenceModelFile,
  type ReferenceModel,
  referenceForward,
} from "../reference/index.ts";
import { argmax, relativeError } from "../support/compare.ts";
import { loadTestEngine, randomControlVector, testModelPath } from "../support/engine.ts";
import { chatPromptTokens } from "../support/llama3-prompts.ts";
import { readPlanted, summedDirections } from "../support/planted.ts";

let engine: Engine;
let reference: ReferenceModel;
let steering: Steering;

beforeAll(async () => {
  // An F32 cache and plain attention keep llama.cpp within float32 rounding of the exact
  // computation (CPU flash attention and the default F16 cache round through half precision).
  engine = await loadTestEngine({ cacheTypeK: "f32", cacheTypeV: "f32", flashAttention: false });
  reference = await loadReferenceModelFile(testModelPath);
  const { layerCount, embeddingSize } = engine.model.metadata;
  const { cheerful } = await readPlanted(testModelPath, layerCount);
  // Two vectors over several layers: the planted trait, and noise on layers 1 and 2 only.
  const noise = randomControlVector(5, 3, embeddingSize, 0.5);
  steering = [
    { vector: cheerful, multiplier: 0.4 },
    { vector: noise, multiplier: 1 },
  ];
});
afterAll(() => engine.close());

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
        controlVector: steered ? summedDirections(steering) : undefined,
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
        controlVector: summedDirections(steering),
        logitsFor: "last",
      });
      expected.push(argmax(logits.at(-1) ?? []));
    }
    expect(generated).toEqual(expected);
  });
});
