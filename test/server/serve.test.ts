// The GPU node's HTTP service, as a real process, through the official openai client.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_OPENERS } from "../../gpu-node/extraction/openers.ts";
import { readPlantedBand } from "../../gpu-node/test-model/band.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/concept.ts";
import { encodeControlVector, parseControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { MAX_JSON_BODY_BYTES } from "../../shared/limits.ts";
import type { ExtractionJob } from "../../shared/node-api/extractions.ts";
import { LOAD_HEADER } from "../../shared/node-api/headers.ts";
import { filterHolds, type NodeLoad, parseLoad } from "../../shared/node-api/load.ts";
import type { VectorObject } from "../../shared/node-api/vectors.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { bearerCases } from "../support/bearer-cases.ts";
import { numberedArchitecture } from "../support/control-vector-files.ts";
import { testModelPath } from "../support/engine.ts";
import { countWords, DAY_PROMPT, type Planted } from "../support/planted.ts";
import { steeredAnswer, uploadPlanted } from "./planted-server.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

const TOKEN = "test-token";
let vectorsDir: string;
let server: ServerProcess;
let client: OpenAI;
let planted: Planted;
let cheerfulId: string;

const auth = { authorization: `Bearer ${TOKEN}` };
/** A vector id no node stores. */
const MISSING = "0".repeat(64);

async function post(pathname: string, body: unknown, headers: Record<string, string> = auth) {
  return fetch(`${server.url}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/**
 * The status of a POST whose headers announce `bytes` of body, none of which is sent: the node
 * answers a body too large from its length alone and closes the connection (a client still writing
 * one would race that close).
 */
function announce(pathname: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { ...auth, "content-type": "application/json", "content-length": bytes };
    const request = http.request(`${server.url}${pathname}`, { method: "POST", headers }, (r) => {
      r.resume();
      resolve(r.statusCode ?? 0);
    });
    request.on("error", reject);
    request.flushHeaders();
  });
}

async function upload(bytes: Uint8Array): Promise<Response> {
  return fetch(`${server.url}/v1/vectors`, { method: "POST", headers: auth, body: bytes });
}

beforeAll(async () => {
  vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  server = await startServer({ vectorsDir, token: TOKEN });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
  ({ planted, id: cheerfulId } = await uploadPlanted(server.url, auth));
});

afterAll(async () => {
  await server?.stop();
  await rm(vectorsDir, { recursive: true, force: true });
});

function answer(multiplier: number): Promise<string> {
  return steeredAnswer(client, cheerfulId, multiplier);
}

describe("steer serve", () => {
  it("answers health checks without the token, saying nothing more than its load, and lists the model", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect({ code: health.status, body: await health.json() }).toEqual({
      code: 200,
      body: { status: "ok" },
    });
    const ready = await fetch(`${server.url}/readyz`);
    const { status, load } = (await ready.json()) as { status: string; load: NodeLoad };
    expect({ code: ready.status, status }).toEqual({ code: 200, status: "ready" });
    expect(load.queue_depth).toBe(0);
    expect(load.free_sequences).toBeGreaterThan(0);
    expect(load.vectors.count).toBeGreaterThan(0);
    expect(filterHolds(load.vectors.filter, cheerfulId)).toBe(true);
    expect(filterHolds(load.vectors.filter, "0".repeat(64))).toBe(false);
    // Every answer says the same in its header, errors included.
    expect(parseLoad(ready.headers.get(LOAD_HEADER))).toEqual(load);
    expect(parseLoad((await fetch(`${server.url}/metrics`)).headers.get(LOAD_HEADER))).toEqual(
      load,
    );
    // Everything else still needs it.
    for (const path of ["/v1/models", "/metrics", "/v1/vectors", "/openapi.json"]) {
      expect({ path, code: (await fetch(`${server.url}${path}`)).status }).toEqual({
        path,
        code: 401,
      });
    }
    const models = await client.models.list();
    expect(models.data[0]?.id).toBe("steer-test");
  });

  it("completes a chat", async () => {
    const completion = await client.chat.completions.create({
      model: "steer-test",
      messages: DAY_PROMPT,
      max_tokens: 5,
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.role).toBe("assistant");
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(5);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it("streams the same text, with usage when asked", async () => {
    const request = { model: "steer-test", messages: DAY_PROMPT, max_tokens: 6 };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const finishes: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let first = true;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      if (first) expect(chunk.choices[0]?.delta.role).toBe("assistant");
      first = false;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(finishes.at(-1)).toBe("length");
    expect(usage).toEqual(whole.usage);
  });

  it("steers by an uploaded vector's id", async () => {
    const { positiveWords, negativeWords } = planted.concept;
    const [cheerful, plain, gloomy] = [await answer(1), await answer(0), await answer(-1)];
    expect(countWords(cheerful, positiveWords)).toBeGreaterThanOrEqual(6);
    expect(countWords(gloomy, negativeWords)).toBeGreaterThanOrEqual(6);
    expect(countWords(plain, [...positiveWords, ...negativeWords])).toBe(0);
  });

  it("stores, lists, returns and deletes vectors", async () => {
    const list = (await (await fetch(`${server.url}/v1/vectors`, { headers: auth })).json()) as {
      data: VectorObject[];
    };
    expect(list.data.map((v) => v.id)).toContain(cheerfulId);
    const file = await fetch(`${server.url}/v1/vectors/${cheerfulId}`, { headers: auth });
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(encodeControlVector(planted.cheerful));
    const half = new Map(
      [...planted.cheerful.directions].map(([l, d]) => [l, d.map((x) => x / 2)]),
    );
    const other = (await (
      await upload(encodeControlVector({ directions: half }))
    ).json()) as VectorObject;
    const url = `${server.url}/v1/vectors/${other.id}`;
    expect((await fetch(url, { method: "DELETE", headers: auth })).status).toBe(200);
    expect((await fetch(url, { headers: auth })).status).toBe(404);
  });

  it("rejects what it cannot serve with OpenAI's error shape", async () => {
    const cases: [unknown, number, string | null][] = [
      [{ messages: [] }, 400, "messages"],
      [{ messages: [{ role: "robot", content: "hi" }] }, 400, "messages[0].role"],
      [{ messages: DAY_PROMPT, temperature: -1 }, 400, "temperature"],
      [{ messages: DAY_PROMPT, max_tokens: 0 }, 400, "max_tokens"],
      [{ messages: DAY_PROMPT, top_p: 2 }, 400, "top_p"],
      [{ messages: DAY_PROMPT, stop: [""] }, 400, "stop[0]"],
      [{ messages: DAY_PROMPT, steering: { [cheerfulId]: 100 } }, 400, `steering.${cheerfulId}`],
      [{ messages: DAY_PROMPT, steering: { nope: 1 } }, 400, "steering.nope"],
      [{ messages: DAY_PROMPT, steering: { [MISSING]: 1 } }, 404, `steering.${MISSING}`],
      [{ messages: DAY_PROMPT, max_tokens: 1000 }, 400, "max_tokens"],
      [{ messages: DAY_PROMPT, tools: [] }, 400, "tools"],
      [{ messages: [{ role: "user", content: "word ".repeat(600) }] }, 400, "messages"],
      ["{not json", 400, "body"],
    ];
    for (const [body, status, param] of cases) {
      const response = await post("/v1/chat/completions", body);
      const error = ((await response.json()) as { error: Record<string, unknown> }).error;
      expect({ status: response.status, param: error.param }).toEqual({ status, param });
      expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
    }
    const overflow = await post("/v1/chat/completions", {
      messages: [{ role: "user", content: "word ".repeat(600) }],
    });
    expect(((await overflow.json()) as { error: { code: string } }).error.code).toBe(
      "context_length_exceeded",
    );
    expect(await announce("/v1/chat/completions", MAX_JSON_BODY_BYTES + 1)).toBe(413);
    for (const file of [new TextEncoder().encode("not a gguf"), numberedArchitecture()]) {
      const refused = await upload(file);
      expect(refused.status).toBe(400);
      const { error } = (await refused.json()) as ApiErrorBody;
      expect(error).toMatchObject({ param: "body", code: "invalid_control_vector" });
    }
    const unknown = await fetch(`${server.url}/v1/nothing`, { headers: auth });
    expect(unknown.status).toBe(404);
  });

  it("keeps an idle connection open longer than its clients keep one to reuse", async () => {
    // Idle past Node's default keep-alive (5 s, closing up to a second late) and past the 5 s
    // workerd, the local edge, keeps a connection: were the node to close first, a request sent
    // as it closes would be lost.
    const idleMs = 7000;
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    socket.on("error", () => undefined);
    let received = "";
    socket.setEncoding("utf8").on("data", (data: string) => {
      received += data;
    });
    const answers = () => received.match(/HTTP\/1\.1 200 /g)?.length ?? 0;
    const get = `GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`;
    socket.write(get);
    await vi.waitFor(() => expect(answers()).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    expect(socket.readyState).toBe("open");
    socket.write(get);
    await vi.waitFor(() => expect(answers()).toBe(2));
    socket.destroy();
  }, 20_000);

  it("needs the bearer token", async () => {
    const response = await post("/v1/chat/completions", { messages: DAY_PROMPT }, {});
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
      "authentication_error",
    );
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "wrong", maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
  });

  it("reads the token as RFC 6750 writes it, with one space and nothing after, as the edge does", async () => {
    for (const [authorization, carries] of bearerCases(TOKEN)) {
      const response = await fetch(`${server.url}/v1/models`, { headers: { authorization } });
      expect({ authorization, status: response.status }).toEqual({
        authorization,
        status: carries ? 200 : 401,
      });
    }
  });

  it("will not start with a token no client could send", async () => {
    await expect(startServer({ vectorsDir, token: "two words" })).rejects.toThrow(
      /STEER_NODE_TOKEN: a bearer token holds/,
    );
  });

  /** Submits an extraction and polls it until it is over. */
  async function extraction(body: unknown): Promise<ExtractionJob> {
    const submitted = await post("/v1/extractions", body);
    expect(submitted.status).toBe(202);
    let job = (await submitted.json()) as ExtractionJob;
    for (const started = Date.now(); ["queued", "running"].includes(job.status); ) {
      expect(Date.now() - started).toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await (
        await fetch(`${server.url}/v1/extractions/${job.id}`, { headers: auth })
      ).json()) as ExtractionJob;
    }
    expect(job.status).toBe("succeeded");
    return job;
  }

  it("runs an extraction job end to end, and its vector steers", async () => {
    const personas = {
      positive: CONCEPT_WORDS.positive.slice(0, 4),
      negative: CONCEPT_WORDS.negative.slice(0, 4),
      openers: DEFAULT_OPENERS.slice(0, 4),
    };
    const job = await extraction({ personas });
    // Unit directions: the planted steering norm is the multiplier that steers clearly.
    const m = Math.min(planted.concept.steeringNorm, 10);
    const { positiveWords, negativeWords } = planted.concept;
    const sunny = await steeredAnswer(client, job.vector_id as string, m);
    expect(countWords(sunny, positiveWords)).toBeGreaterThan(countWords(sunny, negativeWords));
  });

  it("chooses by measurement the layers the band trait lives in; the fixed band stays on offer", async () => {
    const band = readPlantedBand((await readGgufFile(testModelPath)).metadata);
    const personas = {
      positive: band.positiveWords.slice(0, 3),
      negative: band.negativeWords.slice(0, 3),
      openers: DEFAULT_OPENERS.slice(0, 3),
    };
    const plan = await (await post("/v1/extractions/validate", { personas })).json();
    expect(plan).toMatchObject({ layers: [1, 2], layers_by: "measurement" });

    const measured = await extraction({ personas });
    expect(measured.layer_choice).toMatchObject({ by: "measurement", layers: band.layers });
    expect(measured.layer_choice?.reason).toContain("reads best on held-out pairs at layer 1");
    expect(measured.layer_choice?.scores?.map((score) => score.layer)).toEqual([1, 2]);
    expect(measured.report?.map((layer) => layer.layer)).toEqual(band.layers);
    const vector = await fetch(`${server.url}/v1/vectors/${measured.vector_id}`, { headers: auth });
    const directions = parseControlVector(new Uint8Array(await vector.arrayBuffer())).directions;
    expect([...directions.keys()]).toEqual(band.layers);

    const fixed = await extraction({ personas, layers: "band" });
    expect(fixed.layer_choice).toMatchObject({ by: "band", layers: [2, 3], scores: null });
    expect(fixed.report?.map((layer) => layer.layer)).toEqual([2, 3]);
  });

  it("keeps uploaded vectors across a restart", async () => {
    await server.stop();
    server = await startServer({ vectorsDir, token: TOKEN });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const { positiveWords } = planted.concept;
    expect(countWords(await answer(1), positiveWords)).toBeGreaterThanOrEqual(6);
  });
});
