// A generation request as engine options, and each engine option back to the request field it came
// from: what an engine error's param becomes over HTTP (the HTTP side: test/server/contract.test.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatEngineRequest,
  completionEngineRequest,
} from "../../gpu-node/server/engine-request.ts";
import { VectorStore } from "../../gpu-node/server/vector-store.ts";
import { encodeControlVector } from "../../shared/control-vector.ts";

let dir: string;
let store: VectorStore;
let first: string;
let second: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  store = await VectorStore.open(dir, { layerCount: 4, embeddingSize: 3 });
  const vector = (x: number) => ({ directions: new Map([[1, Float32Array.of(x, 0, 0)]]) });
  first = (await store.put(encodeControlVector(vector(1)))).id;
  second = (await store.put(encodeControlVector(vector(2)))).id;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const messages = [{ role: "user" as const, content: "Hi" }];

describe("engine requests", () => {
  it("take the sampling fields, stop and steering as the engine names them", () => {
    const { options } = completionEngineRequest(
      {
        prompt: "Once",
        max_tokens: 7,
        temperature: 0.5,
        top_p: 0.9,
        top_k: 40,
        min_p: 0.05,
        repetition_penalty: 1.1,
        seed: 3,
        stop: "\n",
        steering: { [first]: 0.5, [second]: -1 },
      },
      store,
    );
    expect(options).toMatchObject({
      prompt: "Once",
      maxNewTokens: 7,
      sampling: {
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        minP: 0.05,
        repetitionPenalty: 1.1,
        seed: 3,
      },
      stop: ["\n"],
    });
    expect(options.steering?.map((term) => term.multiplier)).toEqual([0.5, -1]);
    expect(options.steering?.[1]?.vector).toBe(store.vector(second, "unused"));
  });

  it("name each engine option by the field it came from", () => {
    const steering = { [first]: 1, [second]: 1 };
    const chat = chatEngineRequest({ messages, steering, stop: ["a", "b"] }, store).fieldOf;
    const completion = completionEngineRequest(
      { prompt: "Once", steering, stop: "a" },
      store,
    ).fieldOf;
    const both: [string, string][] = [
      ["sampling.temperature", "temperature"],
      ["sampling.topP", "top_p"],
      ["sampling.topK", "top_k"],
      ["sampling.minP", "min_p"],
      ["sampling.repetitionPenalty", "repetition_penalty"],
      ["sampling.seed", "seed"],
      ["steering[0].multiplier", `steering.${first}`],
      ["steering[1].vector", `steering.${second}`],
      ["maxNewTokens", "max_tokens"],
    ];
    for (const [option, field] of both) {
      expect(chat(option)).toBe(field);
      expect(completion(option)).toBe(field);
    }
    expect(chat("prompt")).toBe("messages");
    expect(chat("messages[0].role")).toBe("messages[0].role");
    expect(chat("stop[1]")).toBe("stop[1]");
    expect(completion("prompt")).toBe("prompt");
    // One stop sequence sent as a string is a list of one to the engine.
    expect(completion("stop[0]")).toBe("stop");
  });

  it("name max_completion_tokens when the chat request used it", () => {
    const request = chatEngineRequest({ messages, max_completion_tokens: 9 }, store);
    expect(request.options.maxNewTokens).toBe(9);
    expect(request.fieldOf("maxNewTokens")).toBe("max_completion_tokens");
  });

  it("refuse a vector the node does not store, naming its steering key", () => {
    const missing = "0".repeat(64);
    expect(() => chatEngineRequest({ messages, steering: { [missing]: 1 } }, store)).toThrow(
      expect.objectContaining({
        status: 404,
        code: "vector_not_found",
        param: `steering.${missing}`,
      }),
    );
  });
});
