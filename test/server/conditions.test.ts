// Condition calibration on the node, in process through app.request, on the test model's planted
// topic: prompts with its words read along a direction the others do not, so a calibration on
// examples with and without them separates them exactly, and stores the direction it read.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosineWith } from "../../gpu-node/conditions/calibrate.ts";
import { meanStates } from "../../gpu-node/conditions/measure.ts";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { readPlantedTopic } from "../../gpu-node/test-model/index.ts";
import { encodeControlVector, parseControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import type { Calibration } from "../../shared/node-api/conditions.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import type { SteeringReport } from "../../shared/steering/conditions.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import { readPlanted } from "../support/planted.ts";
import { topicExamples } from "../support/topic-examples.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;
let node: InProcessNode;
let topic: readonly string[];

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-conditions-"));
  node = await openApp(engine, dir);
  topic = readPlantedTopic((await readGgufFile(testModelPath)).metadata).words;
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

function calibrate(body: unknown) {
  return node.app.request("/v1/conditions/calibrations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function calibrated(body: unknown): Promise<Calibration> {
  const response = await calibrate(body);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Calibration;
}

async function refused(body: unknown): Promise<ApiErrorBody["error"]> {
  const response = await calibrate(body);
  expect(response.status, await response.clone().text()).toBe(400);
  return ((await response.json()) as ApiErrorBody).error;
}

describe("calibrating a condition on the planted topic", () => {
  it("separates prompts with the topic's words from the others at F1 1, and stores its direction", async () => {
    const request = topicExamples(topic);
    const answer = await calibrated(request);
    const { layerCount } = engine.model.metadata;
    // Every layer but the first and the last, by default.
    const candidates = Array.from({ length: layerCount - 2 }, (_, i) => i + 1);
    expect(answer.layers.map((layer) => layer.layer)).toEqual(candidates);
    expect(answer).toMatchObject({
      object: "condition_calibration",
      comparator: "above",
      f1: 1,
      precision: 1,
      recall: 1,
    });
    expect(answer.layers.find((layer) => layer.layer === answer.layer)?.f1).toBe(1);
    const tokens = [...request.should_fire, ...request.should_not_fire].map(
      (content) => engine.model.tokenizeChat([{ role: "user", content }]).length,
    );
    expect(answer.usage.prompt_tokens).toBe(tokens.reduce((a, b) => a + b, 0));

    const stored = node.store.list().find((vector) => vector.id === answer.vector);
    expect(stored?.layers).toEqual([answer.layer]);
    const file = await node.app.request(`/v1/vectors/${answer.vector}`);
    const vector = parseControlVector(new Uint8Array(await file.arrayBuffer()));
    expect(Math.hypot(...(vector.directions.get(answer.layer) ?? []))).toBeCloseTo(1, 5);
  });

  it("is what a chat request's condition reads: it fires on the topic's prompts and not on others", async () => {
    const answer = await calibrated(topicExamples(topic));
    const planted = await readPlanted(testModelPath, engine.model.metadata.layerCount);
    const steered = (await node.store.put(encodeControlVector(planted.cheerful))).id;
    const when = { vector: answer.vector, layer: answer.layer, above: answer.threshold };
    const report = async (content: string) => {
      const response = await node.app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          messages: [{ role: "user", content }],
          max_tokens: 2,
          steering: { [steered]: { multiplier: 1, when } },
        }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      const body = (await response.json()) as { steering_report: SteeringReport };
      return body.steering_report[steered]?.condition;
    };
    const prompts = [`Sing me a song about the ${topic.at(-1)}.`, "Sing me a song about the moon."];
    const [onTopic, offTopic] = [await report(prompts[0] ?? ""), await report(prompts[1] ?? "")];
    expect(onTopic).toMatchObject({ trait: answer.vector, layer: answer.layer, fired: true });
    expect(offTopic).toMatchObject({ fired: false });
    // The cosine it read is the one calibration measures of the same prompt.
    const direction = node.store.vector(answer.vector, "vector").directions.get(answer.layer);
    const means = await meanStates(
      engine,
      prompts.map((content) => engine.model.tokenizeChat([{ role: "user", content }])),
      [answer.layer],
    );
    const measured = (means.get(answer.layer) ?? []).map((mean) =>
      cosineWith(mean, Float64Array.from(direction ?? [])),
    );
    expect(onTopic?.projection).toBeCloseTo(measured[0] as number, 4);
    expect(offTopic?.projection).toBeCloseTo(measured[1] as number, 4);
  });

  it("reads only the layers asked for", async () => {
    const answer = await calibrated({ ...topicExamples(topic), layers: [2, 2] });
    expect(answer.layer).toBe(2);
    expect(answer.layers.map((layer) => layer.layer)).toEqual([2]);
    expect(answer.f1).toBe(1);
  });

  it("is the same calibration, and the same vector, for the same examples", async () => {
    const [first, second] = [
      await calibrated(topicExamples(topic)),
      await calibrated(topicExamples(topic)),
    ];
    expect(second).toEqual(first);
  });
});

describe("a calibration that cannot be made", () => {
  it("is a 400 naming the field: a layer the model does not have", async () => {
    const layerCount = engine.model.metadata.layerCount;
    const error = await refused({ ...topicExamples(topic), layers: [layerCount] });
    expect(error).toMatchObject({ code: "layer_out_of_range", param: "layers" });
  });

  it("an example longer than the context", async () => {
    const request = topicExamples(topic);
    request.should_not_fire[1] = " a".repeat(999);
    const error = await refused(request);
    expect(error).toMatchObject({ code: "context_length_exceeded", param: "should_not_fire[1]" });
  });

  it("two sides that read the same", async () => {
    const { should_fire } = topicExamples(topic);
    const error = await refused({ should_fire, should_not_fire: [...should_fire].reverse() });
    expect(error).toMatchObject({ code: "examples_indistinct", param: "should_not_fire" });
  });

  it("a side with one example", async () => {
    const error = await refused({
      ...topicExamples(topic),
      should_fire: ["Tell me about the sea."],
    });
    expect(error.param).toBe("should_fire");
  });
});
