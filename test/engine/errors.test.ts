// Every bad input gets its typed error, and the engine keeps serving afterwards.
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../gpu-node/engine/engine.ts";
import { errorCode, loadTestEngine, randomControlVector } from "../support/engine.ts";

let engine: Engine;
beforeAll(async () => {
  engine = await loadTestEngine({ contextSize: 64 });
});
afterAll(() => engine.close());

describe("model files", () => {
  it("a missing file is model_not_found", async () => {
    expect(await errorCode(() => Engine.load("/nonexistent/model.gguf"))).toBe("model_not_found");
  });

  it("a corrupt file is model_invalid, with llama.cpp's reason", async () => {
    const file = path.join(tmpdir(), `steer-corrupt-${process.pid}.gguf`);
    await writeFile(file, "this is not a gguf file at all");
    const error = await Engine.load(file).catch((e: Error) => e);
    expect(error).toMatchObject({ code: "model_invalid" });
    expect((error as Error).message).toMatch(/magic|gguf/i);
  });
});

describe("requests", () => {
  const vector = () =>
    randomControlVector(
      1,
      engine.model.metadata.layerCount,
      engine.model.metadata.embeddingSize,
      1,
    );

  it("a vector of the wrong width", async () => {
    const wrong = {
      directions: new Map([[1, new Float32Array(engine.model.metadata.embeddingSize + 1)]]),
    };
    expect(
      await errorCode(() =>
        engine.generate({ prompt: "Hi", steering: [{ vector: wrong, multiplier: 1 }] }),
      ),
    ).toBe("control_vector_width");
  });

  it("a layer out of range", async () => {
    const n = engine.model.metadata.layerCount;
    const outside = {
      directions: new Map([[n, new Float32Array(engine.model.metadata.embeddingSize)]]),
    };
    expect(
      await errorCode(() =>
        engine.generate({ prompt: "Hi", steering: [{ vector: outside, multiplier: 1 }] }),
      ),
    ).toBe("layer_out_of_range");
    expect(await errorCode(() => engine.capture(["Hi"], { layers: [n] }))).toBe(
      "layer_out_of_range",
    );
  });

  it("a NaN or infinite multiplier", async () => {
    for (const multiplier of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        await errorCode(() =>
          engine.generate({ prompt: "Hi", steering: [{ vector: vector(), multiplier }] }),
        ),
      ).toBe("invalid_multiplier");
    }
  });

  it("a prompt longer than the context", async () => {
    const long = "word ".repeat(200);
    expect(await errorCode(() => engine.generate({ prompt: long }))).toBe("context_overflow");
    expect(await errorCode(() => engine.capture([long], { layers: [1] }))).toBe("context_overflow");
  });

  it("bad sampling options name their field", async () => {
    const bad = [
      { temperature: -1 },
      { topP: 0 },
      { topK: 1.5 },
      { minP: 2 },
      { seed: -3 },
      { repetitionPenalty: 0 },
    ];
    for (const sampling of bad) {
      const error = await (async () => engine.generate({ prompt: "Hi", sampling }))().catch(
        (e) => e,
      );
      expect(error).toMatchObject({
        code: "invalid_request",
        param: `sampling.${Object.keys(sampling)[0]}`,
      });
    }
    expect(await errorCode(() => engine.generate({ prompt: "Hi", maxNewTokens: 0 }))).toBe(
      "invalid_request",
    );
    expect(await errorCode(() => engine.generate({ prompt: "Hi", stop: [""] }))).toBe(
      "invalid_request",
    );
  });

  it("keeps serving after all of the above", async () => {
    const result = await engine.complete({ prompt: "Hello", maxNewTokens: 4 });
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });
});

describe("chat messages", () => {
  it("malformed messages name the message at fault", async () => {
    const bad = [[], [{ role: "tool", content: "x" }], [{ role: "user", content: 42 }]];
    for (const messages of bad) {
      const error = await (async () => engine.generate({ messages: messages as never }))().catch(
        (e) => e,
      );
      expect(error).toMatchObject({ code: "invalid_request" });
      expect(error.param).toMatch(/^messages/);
    }
  });
});
