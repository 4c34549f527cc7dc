// The node's dataset jobs: a described trait's persona pairs, written by an operator's endpoint (a
// local server playing an OpenAI-compatible one, as `steer serve --generator-url` calls it) or by
// the node's own model through a grammar made from the answer's schema; deduplicated and filtered,
// asked again for what is missing, and failed with a reason that says why when too few are usable.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { MAX_DESCRIPTION_CHARS, MAX_GENERATED_PERSONA_CHARS } from "../../shared/limits.ts";
import type { DatasetJob } from "../../shared/node-api/datasets.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import {
  chatCompletion,
  type EndpointRequest,
  type FakeChatEndpoint,
  startChatEndpoint,
} from "../support/chat-endpoint.ts";
import { loadTestEngine } from "../support/engine.ts";
import { type InProcessNode, openApp } from "./in-process.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

/** Sends to a node: the real process's fetch, or an in-process app's request. */
type Send = (route: string, init?: RequestInit) => Promise<Response>;

function submit(send: Send, body: unknown): Promise<Response> {
  return send("/v1/datasets", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Submits the request and reads its job until it ends. */
async function finished(send: Send, body: unknown): Promise<DatasetJob> {
  const response = await submit(send, body);
  expect(response.status, await response.clone().text()).toBe(202);
  const { id } = (await response.json()) as DatasetJob;
  for (const started = Date.now(); Date.now() - started < 60_000; ) {
    const job = (await (await send(`/v1/datasets/${id}`)).json()) as DatasetJob;
    if (job.status !== "queued" && job.status !== "running") return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dataset ${id} did not finish`);
}

async function refusal(send: Send, body: unknown) {
  const response = await submit(send, body);
  return { status: response.status, ...((await response.json()) as ApiErrorBody).error };
}

describe("an endpoint generator (steer serve --generator-url)", () => {
  let endpoint: FakeChatEndpoint;
  let dir: string;
  let server: ServerProcess;
  let send: Send;

  beforeAll(async () => {
    endpoint = await startChatEndpoint();
    dir = await mkdtemp(path.join(tmpdir(), "steer-datasets-"));
    server = await startServer({
      vectorsDir: dir,
      args: ["--generator-url", endpoint.url, "--generator-model", "writer-1"],
      env: { STEER_GENERATOR_API_KEY: "generator-key" },
    });
    send = (route, init) => fetch(`${server.url}${route}`, init);
  });

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The endpoint answers each request with the next of `contents`, 40 tokens in, 30 out. */
  function answerWith(...contents: string[]) {
    endpoint.requests.length = 0;
    endpoint.reply = () => ({
      body: chatCompletion(contents.shift() ?? "", undefined, {
        prompt_tokens: 40,
        completion_tokens: 30,
      }),
    });
  }

  const answer = (...pairs: [string, string][]) =>
    JSON.stringify({ pairs: pairs.map(([positive, negative]) => ({ positive, negative })) });

  /** The pairs a request asked for, by its schema. */
  const asked = ({ body }: EndpointRequest) => {
    const format = body.response_format as {
      json_schema: { schema: { properties: { pairs: { minItems: number } } } };
    };
    return format.json_schema.schema.properties.pairs.minItems;
  };

  it("asks for the pairs through a strict JSON schema, keeps the usable ones, and asks again for the rest", async () => {
    answerWith(
      answer(
        ["pirate-like", "plain-spoken"],
        [" Pirate-like", "plain-spoken "],
        ["salty", "Salty"],
      ),
      answer(["swashbuckling", "bookish"], ["   ", "timid"]),
    );
    const job = await finished(send, { description: "speaks like a pirate", pairs: 3 });
    expect(job).toMatchObject({
      status: "succeeded",
      generator: { kind: "endpoint", model: "writer-1" },
      usage: { prompt_tokens: 80, completion_tokens: 60 },
      error: null,
    });
    // The repeated pair, the one with the same persona twice and the blank one are left out.
    expect(job.pairs).toEqual([
      { positive: "pirate-like", negative: "plain-spoken" },
      { positive: "swashbuckling", negative: "bookish" },
    ]);
    // Three asked, then the two still missing.
    expect(endpoint.requests.map(asked)).toEqual([3, 2]);
    const [first] = endpoint.requests;
    expect(first?.authorization).toBe("Bearer generator-key");
    expect(first?.body).toMatchObject({
      model: "writer-1",
      response_format: { type: "json_schema", json_schema: { strict: true } },
    });
    expect(first?.body.messages[0]?.content).toContain("The trait: speaks like a pirate");
  });

  it("asks again after a malformed answer, then fails the job saying why", async () => {
    answerWith("Arr, here be yer pairs!", answer(["pirate-like", "plain-spoken"]));
    const job = await finished(send, { description: "speaks like a pirate", pairs: 2 });
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("generation_failed");
    expect(job.error?.message).toBe(
      "the generator (writer-1) wrote 0 usable persona pairs of the 2 asked, after a retry; at " +
        "least 1 are needed. Dropped: 2 malformed answers (the last: pairs: Too small: " +
        "expected array to have >=2 items)",
    );
    expect(endpoint.requests).toHaveLength(2);
    expect(job.usage).toEqual({ prompt_tokens: 80, completion_tokens: 60 });
  });

  it("uses the retry's answer when the first was malformed", async () => {
    answerWith('{"pairs": [', answer(["pirate-like", "plain-spoken"]));
    const job = await finished(send, { description: "speaks like a pirate", pairs: 1 });
    expect(job).toMatchObject({ status: "succeeded", pairs: [{ positive: "pirate-like" }] });
  });

  it("fails the job with the endpoint's own error", async () => {
    endpoint.reply = () => ({ status: 503, body: { error: { message: "overloaded" } } });
    const job = await finished(send, { description: "speaks like a pirate", pairs: 2 });
    expect(job.error?.code).toBe("generator_failed");
    expect(job.error?.message).toMatch(/^the generator at http:\S+ answered 503: .*overloaded/);
  });

  it("refuses a request that could never work, naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ description: "" }, "description"],
      [{ description: "  \n" }, "description"],
      [{ description: "x".repeat(MAX_DESCRIPTION_CHARS + 1) }, "description"],
      [{ description: "pirate", pairs: 0 }, "pairs"],
      [{ description: "pirate", pairs: 49 }, "pairs"],
      [{ description: "pirate", pairs: 2.5 }, "pairs"],
      [{ description: "pirate", pairs: "4" }, "pairs"],
      [{ pairs: 4 }, "description"],
      [{ description: "pirate", examples: [] }, "examples"],
    ];
    for (const [body, param] of cases) {
      expect(await refusal(send, body), JSON.stringify(body).slice(0, 80)).toMatchObject({
        status: 400,
        param,
      });
    }
  });
});

describe("the base model generator", () => {
  let engine: Engine;
  let dir: string;
  let node: InProcessNode;
  let send: Send;

  beforeAll(async () => {
    engine = await loadTestEngine();
    dir = await mkdtemp(path.join(tmpdir(), "steer-datasets-"));
    node = await openApp(engine, dir);
    send = async (route, init) => node.app.request(route, init);
  });

  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes pairs of the schema even on a model that writes at random, within its context", async () => {
    const job = await finished(send, { description: "cheerful and upbeat", pairs: 3 });
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.generator.kind).toBe("base_model");
    const pairs = job.pairs ?? [];
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const { positive, negative } of pairs) {
      for (const persona of [positive, negative]) {
        expect(persona.trim()).toBe(persona);
        expect(persona.length).toBeGreaterThan(0);
        expect(persona.length).toBeLessThanOrEqual(MAX_GENERATED_PERSONA_CHARS);
      }
      expect(positive.toLowerCase()).not.toBe(negative.toLowerCase());
    }
    expect(job.usage.completion_tokens).toBeGreaterThan(0);
    // The same job writes the same pairs: every answer is seeded.
    expect((await finished(send, { description: "cheerful and upbeat", pairs: 3 })).pairs).toEqual(
      pairs,
    );
    const metrics = await (await send("/metrics")).text();
    expect(metrics).toMatch(/^steer_dataset_jobs\{status="succeeded"\} 2$/m);
  });

  it("refuses a description whose prompt leaves no room for an answer in the context", async () => {
    // Within the description's limit in characters, but two tokens or more a character.
    const long = "😀".repeat(MAX_DESCRIPTION_CHARS / 2);
    expect(await refusal(send, { description: long })).toMatchObject({
      status: 400,
      param: "description",
      code: "context_length_exceeded",
    });
  });
});
