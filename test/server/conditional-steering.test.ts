// Conditional steering through the node's HTTP contract (in process): a steering value with a
// condition, and the steering_report every steered answer carries, keyed by vector id: in a whole
// answer, in a stream's finish chunk, on chat and on legacy text completions.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type ControlVector, encodeControlVector } from "../../shared/control-vector.ts";
import type { VectorObject } from "../../shared/node-api/vectors.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../../shared/openai/chat.ts";
import type { Completion } from "../../shared/openai/completions.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import { CITY_PROMPT, readTopicVectors, SEA_PROMPT, TOPIC_READ_LAYER } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;
let node: InProcessNode;
/** Vector ids: the cheerful trait above the layer read, and the topic. */
let cheerful: string;
let sea: string;

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-conditions-"));
  node = await openApp(engine, dir);
  const vectors = await readTopicVectors(testModelPath, engine.model.metadata.layerCount);
  cheerful = await upload(vectors.cheerfulAbove);
  sea = await upload(vectors.sea);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function upload(vector: ControlVector): Promise<string> {
  const response = await node.app.request("/v1/vectors", {
    method: "POST",
    body: encodeControlVector(vector),
  });
  return ((await response.json()) as VectorObject).id;
}

function post(route: string, body: unknown) {
  return node.app.request(route, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const whenSea = () => ({
  multiplier: 1,
  when: { vector: sea, layer: TOPIC_READ_LAYER, above: 0.05 },
});

function chat(content: string, steering: object, extra: object = {}) {
  return post("/v1/chat/completions", {
    messages: [{ role: "user", content }],
    max_tokens: 6,
    steering,
    ...extra,
  });
}

/** The data of a stream's events, [DONE] left out. */
async function events<T>(response: Response): Promise<T[]> {
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice("data: ".length)) as T);
}

describe("conditional steering on the node", () => {
  it("reports per vector id what was applied, and what the condition read", async () => {
    const onSea = (await (
      await chat(SEA_PROMPT, { [cheerful]: whenSea() })
    ).json()) as ChatCompletion;
    expect(onSea.steering_report).toEqual({
      [cheerful]: {
        multiplier: 1,
        condition: {
          trait: sea,
          layer: TOPIC_READ_LAYER,
          above: 0.05,
          projection: expect.any(Number),
          fired: true,
          fired_at_token: 0,
        },
      },
    });
    const plain = (await (await chat(SEA_PROMPT, { [cheerful]: 1 })).json()) as ChatCompletion;
    expect(plain.steering_report).toEqual({ [cheerful]: { multiplier: 1 } });
    expect(onSea.choices[0]?.message.content).toBe(plain.choices[0]?.message.content);

    const onCity = (await (
      await chat(CITY_PROMPT, { [cheerful]: whenSea() })
    ).json()) as ChatCompletion;
    expect(onCity.steering_report?.[cheerful]).toMatchObject({
      multiplier: 0,
      condition: { fired: false, fired_at_token: null },
    });
  });

  it("has no report when the request did not steer", async () => {
    const answer = (await (await chat(SEA_PROMPT, {})).json()) as ChatCompletion;
    expect(answer).not.toHaveProperty("steering_report");
  });

  it("puts the report in a stream's finish chunk, the last every client gets", async () => {
    const steering = { [cheerful]: { ...whenSea(), when: { ...whenSea().when, during: true } } };
    const response = await chat(SEA_PROMPT, steering, {
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await events<ChatCompletionChunk>(response);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.steering_report?.[cheerful]).toMatchObject({
      multiplier: 1,
      condition: { fired: true, window_projection: null },
    });
    for (const chunk of chunks)
      if (chunk !== finish) expect(chunk).not.toHaveProperty("steering_report");
  });

  it("reports on legacy text completions too", async () => {
    const body = {
      prompt: `The ${"ocean"} at night`,
      max_tokens: 4,
      steering: { [cheerful]: whenSea() },
    };
    const whole = (await (await post("/v1/completions", body)).json()) as Completion;
    expect(whole.steering_report?.[cheerful]?.condition?.fired).toBe(true);
    const streamed = await events<Completion>(
      await post("/v1/completions", { ...body, stream: true }),
    );
    expect(streamed.at(-1)?.steering_report?.[cheerful]?.condition?.fired).toBe(true);
  });

  it("names the field of a condition the engine refuses", async () => {
    const { layerCount } = engine.model.metadata;
    const steering = {
      [cheerful]: { ...whenSea(), when: { ...whenSea().when, layer: layerCount - 1 } },
    };
    const response = await chat(SEA_PROMPT, steering);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { param: string; code: string } };
    expect(error).toMatchObject({
      code: "layer_out_of_range",
      param: `steering.${cheerful}.when.layer`,
    });

    const missing = await chat(SEA_PROMPT, {
      [cheerful]: { ...whenSea(), when: { ...whenSea().when, vector: "0".repeat(64) } },
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe(
      `steering.${cheerful}.when.vector`,
    );
  });
});
