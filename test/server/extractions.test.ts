// Extraction jobs (and how long finished ones are kept), /metrics and the queue bound, in process
// through app.request.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { DEFAULT_OPENERS } from "../../gpu-node/extraction/openers.ts";
import {
  ExtractionJobs,
  type ExtractionJobsOptions,
} from "../../gpu-node/server/extraction-jobs.ts";
import type { VectorStore } from "../../gpu-node/server/vector-store.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/concept.ts";
import type { ExtractionJob } from "../../shared/node-api/extractions.ts";
import type { ChatCompletion } from "../../shared/openai/chat.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import { countWords, DAY_PROMPT, type Planted, readPlanted } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;
let store: VectorStore;
let app: InProcessNode["app"];
let planted: Planted;
let extractions: ExtractionJobs;

const personas = {
  positive: CONCEPT_WORDS.positive.slice(0, 4),
  negative: CONCEPT_WORDS.negative.slice(0, 4),
  openers: DEFAULT_OPENERS.slice(0, 4),
};

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  const { layerCount } = engine.model.metadata;
  ({ store } = await openApp(engine, dir));
  extractions = new ExtractionJobs(engine, store);
  ({ app } = await openApp(engine, dir, { store, extractions }));
  planted = await readPlanted(testModelPath, layerCount);
});

afterAll(async () => {
  extractions?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

function post(pathname: string, body: unknown, target = app) {
  return target.request(pathname, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function poll(id: string): Promise<ExtractionJob> {
  const started = Date.now();
  for (;;) {
    const job = (await (await app.request(`/v1/extractions/${id}`)).json()) as ExtractionJob;
    if (!["queued", "running"].includes(job.status) || Date.now() - started > 10_000) return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function answer(steering: Record<string, number>): Promise<string> {
  const response = await post("/v1/chat/completions", {
    messages: DAY_PROMPT,
    max_tokens: 8,
    steering,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as ChatCompletion).choices[0]?.message.content ?? "";
}

describe("extraction jobs", () => {
  it("runs a persona job to a stored vector that steers", async () => {
    const layers = Array.from({ length: engine.model.metadata.layerCount - 1 }, (_, i) => i + 1);
    const response = await post("/v1/extractions", { personas, layers });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as ExtractionJob;
    expect(queued).toMatchObject({
      object: "extraction",
      status: "queued",
      vector_id: null,
    });
    expect(queued.progress.total).toBeGreaterThan(0);

    const job = await poll(queued.id);
    expect(job.status).toBe("succeeded");
    expect(job.progress.done).toBe(job.progress.total);
    expect(job.report?.map((layer) => layer.layer)).toEqual(layers);
    expect(job.layer_choice).toEqual({
      by: "request",
      layers,
      reason: "the layers the request named",
      scores: null,
    });
    expect(job.report?.every((layer) => layer.separation > 0.9)).toBe(true);
    expect(store.list().map((vector) => vector.id)).toContain(job.vector_id);

    // Directions are unit length: the planted steering norm is the multiplier that steers clearly.
    const id = job.vector_id as string;
    const m = Math.min(planted.concept.steeringNorm, 10);
    const cheerful = await answer({ [id]: m });
    const gloomy = await answer({ [id]: -m });
    const { positiveWords, negativeWords } = planted.concept;
    expect(countWords(cheerful, positiveWords)).toBeGreaterThan(
      countWords(cheerful, negativeWords),
    );
    expect(countWords(gloomy, negativeWords)).toBeGreaterThan(countWords(gloomy, positiveWords));
  });

  it("cancels a job", async () => {
    const first = (await (await post("/v1/extractions", { personas })).json()) as ExtractionJob;
    const second = (await (await post("/v1/extractions", { personas })).json()) as ExtractionJob;
    const cancelled = await app.request(`/v1/extractions/${second.id}`, { method: "DELETE" });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as ExtractionJob).status).toBe("cancelled");
    await app.request(`/v1/extractions/${first.id}`, { method: "DELETE" });
    expect((await poll(first.id)).status).toBe("cancelled");
    expect((await poll(second.id)).status).toBe("cancelled");
    expect((await app.request("/v1/extractions/nope")).status).toBe(404);
  });

  it("rejects bad datasets naming the field", async () => {
    // About 600 tokens, past the 512-token context, in 1200 characters (the schema allows 2000).
    const long = "a.".repeat(600);
    const pair = { positive: "a", negative: "b" };
    const fourth = (text: string) => [...personas.positive.slice(0, 3), text];
    const cases: [unknown, string, string][] = [
      [{ personas: { ...personas, negative: ["sad"] } }, "personas.negative", "invalid_request"],
      [{ personas: { ...personas, template: "no slot" } }, "personas.template", "invalid_request"],
      [
        { personas: { ...personas, positive: fourth(" ") } },
        "personas.positive[3]",
        "invalid_request",
      ],
      [{ personas: { ...personas, openers: [] } }, "personas.openers", "invalid_request"],
      [
        // A persona of 2000 characters in two places: an instruction past MAX_INSTRUCTION_CHARS.
        {
          personas: {
            ...personas,
            template: "{persona}, {persona}",
            positive: fourth("a.".repeat(1000)),
          },
        },
        "personas.positive[3]",
        "invalid_request",
      ],
      [{ pairs: [{ positive: "a", negative: "" }] }, "pairs[0].negative", "invalid_request"],
      [{ pairs: [pair], method: "svd" }, "method", "invalid_request"],
      [{ pairs: [pair], layers: [999] }, "layers", "layer_out_of_range"],
      [{ pairs: [pair], layers: "middle" }, "layers", "invalid_request"],
      [{ pairs: [pair], layers: [] }, "layers", "invalid_request"],
      [{ pairs: [pair], layers: [2, 1.5] }, "layers[1]", "invalid_request"],
      [{}, "personas", "invalid_request"],
      [{ personas, name: "sunny" }, "name", "unknown_field"],
      // What only the model can tell: what fits its context.
      [
        { personas: { ...personas, positive: fourth(long) } },
        "personas.positive[3]",
        "context_length_exceeded",
      ],
      [
        { personas: { ...personas, openers: [long] } },
        "personas.openers",
        "context_length_exceeded",
      ],
      [
        { pairs: [pair, pair, { positive: "a", negative: long }] },
        "pairs[2].negative",
        "context_length_exceeded",
      ],
    ];
    for (const [body, param, code] of cases) {
      const response = await post("/v1/extractions", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as ApiErrorBody).error).toMatchObject({ param, code });
    }
  });
});

describe("finished jobs", () => {
  /** An app whose jobs run on a clock the test moves. */
  async function clocked(options: ExtractionJobsOptions) {
    const clock = { now: 0 };
    const jobs = new ExtractionJobs(engine, store, { ...options, now: () => clock.now });
    const { app: target } = await openApp(engine, dir, { store, extractions: jobs });
    const get = async (id: string) => target.request(`/v1/extractions/${id}`);
    const status = async (id: string) => (await get(id)).status;
    const submit = async (body: unknown) =>
      ((await (await post("/v1/extractions", body, target)).json()) as ExtractionJob).id;
    const cancelled = async () => {
      const id = await submit({ personas });
      await target.request(`/v1/extractions/${id}`, { method: "DELETE" });
      return id;
    };
    return { clock, jobs, get, status, submit, cancelled };
  }

  it("are forgotten once their retention has passed; live ones are kept", async () => {
    const { clock, jobs, get, status, submit, cancelled } = await clocked({ retentionMs: 1000 });
    const finished = await cancelled();
    // Every opener: long enough that neither has finished when the clock jumps.
    const long = { personas: { ...personas, openers: DEFAULT_OPENERS } };
    const live = [await submit(long), await submit(long)];
    clock.now = 999;
    expect(await status(finished)).toBe(200);
    clock.now = 1000;
    expect(await status(finished)).toBe(404);
    clock.now = 10_000_000;
    const jobStatus = async (id: string) =>
      ((await (await get(id)).json()) as ExtractionJob).status;
    for (const id of live) expect(["queued", "running"]).toContain(await jobStatus(id));
    jobs.close();
    expect(await Promise.all(live.map(status))).toEqual([200, 200]);
    clock.now += 1000;
    expect(await Promise.all(live.map(status))).toEqual([404, 404]);
  });

  it("are kept up to the count, the oldest dropped first", async () => {
    const { jobs, status, cancelled } = await clocked({ maxFinished: 2 });
    const ids = [await cancelled(), await cancelled(), await cancelled()];
    expect(await Promise.all(ids.map(status))).toEqual([404, 200, 200]);
    expect(jobs.counts().cancelled).toBe(2);
  });
});

describe("metrics and the queue bound", () => {
  it("serves Prometheus text with the counters", async () => {
    await answer({});
    const response = await app.request("/metrics");
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^steer_queue_depth 0$/m);
    expect(text).toMatch(/^steer_active_requests 0$/m);
    expect(text).toMatch(/^steer_completions_total [1-9]\d*$/m);
    expect(text).toMatch(/^steer_tokens_generated_total [1-9]\d*$/m);
    expect(text).toMatch(/^steer_extraction_jobs\{status="succeeded"\} 1$/m);
    expect(text).toMatch(/^steer_extraction_jobs\{status="cancelled"\} 2$/m);
    expect(text).toContain("# TYPE steer_tokens_generated_total counter");
  });

  it("answers 503 with Retry-After once the queue is at its bound", async () => {
    const { app: full } = await openApp(engine, dir, { store, maxQueueDepth: 0 });
    const response = await post("/v1/chat/completions", { messages: DAY_PROMPT }, full);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await response.json()) as ApiErrorBody;
    expect(body.error).toMatchObject({ type: "server_error", code: "queue_full" });
  });
});
