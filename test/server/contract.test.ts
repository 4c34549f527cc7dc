// The node serves shared/node-api's contract (in process, through app.request): its own document at
// GET /openapi.json, requests checked by the contract's schemas, errors naming the field the client
// sent on each route, max_tokens fitted to the context, and the model alias and metering headers.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { METERING_HEADER, MODEL_ALIAS_HEADER } from "../../shared/node-api/headers.ts";
import type { ChatCompletion } from "../../shared/openai/chat.ts";
import type { Completion } from "../../shared/openai/completions.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { loadTestEngine } from "../support/engine.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

/** The test engine's context, in tokens (test/support/engine.ts). */
const CONTEXT = 512;

let engine: Engine;
let dir: string;
let node: InProcessNode;

beforeAll(async () => {
  engine = await loadTestEngine({ contextSize: CONTEXT });
  dir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  node = await openApp(engine, dir);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

function post(route: string, body: unknown, headers: Record<string, string> = {}) {
  return node.app.request(route, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as ApiErrorBody).error };
}

/** The JSON chunks of a streamed answer, [DONE] left out. */
async function chunks(response: Response): Promise<Record<string, unknown>[]> {
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/^data: (\{.*)$/gm)].map((m) =>
    JSON.parse(m[1] as string),
  );
}

const CHAT = "/v1/chat/completions";
const COMPLETIONS = "/v1/completions";
/** Each route with a short prompt of its kind. */
const ROUTES: [string, object][] = [
  [CHAT, { messages: DAY_PROMPT }],
  [COMPLETIONS, { prompt: "The day was" }],
];

describe("the contract", () => {
  it("is served as an OpenAPI 3.1 document listing every route", async () => {
    const response = await node.app.request("/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: object };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual([
      "/healthz",
      "/metrics",
      "/readyz",
      "/v1/chat/completions",
      "/v1/completions",
      "/v1/conditions/calibrations",
      "/v1/datasets",
      "/v1/datasets/{id}",
      "/v1/evaluations",
      "/v1/evaluations/{id}",
      "/v1/extractions",
      "/v1/extractions/validate",
      "/v1/extractions/{id}",
      "/v1/generations/{id}/cancel",
      "/v1/models",
      "/v1/vectors",
      "/v1/vectors/{id}",
    ]);
  });

  it.each(ROUTES)("%s refuses fields it does not know, naming them", async (route, prompt) => {
    expect(await errorOf(await post(route, { ...prompt, logit_bias: {} }))).toMatchObject({
      status: 400,
      code: "unknown_field",
      param: "logit_bias",
    });
    const metering = await post(route, prompt, { [METERING_HEADER]: "yes" });
    expect(await errorOf(metering)).toMatchObject({ status: 400, param: METERING_HEADER });
  });

  it("answers malformed JSON and other media types in OpenAI's shape", async () => {
    const malformed = await node.app.request(CHAT, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(await errorOf(malformed)).toMatchObject({ status: 400, code: "invalid_json" });
    const text = await node.app.request(CHAT, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(await errorOf(text)).toMatchObject({ status: 415, code: "unsupported_media_type" });
  });

  it("refuses a vector whose norm is absurd, naming its layer", async () => {
    const width = engine.model.metadata.embeddingSize;
    const directions = new Map([[2, new Float32Array(width).fill(3e38)]]);
    const upload = await node.app.request("/v1/vectors", {
      method: "POST",
      body: encodeControlVector({ directions }) as Uint8Array<ArrayBuffer>,
    });
    const error = await errorOf(upload);
    expect(error).toMatchObject({ status: 400, code: "control_vector_norm", param: "body" });
    expect(error.message).toContain("direction.2");
  });

  it("answers 413 past the body limits, naming them, and closes the connection", async () => {
    const small = await openApp(engine, dir, { maxJsonBytes: 100, maxVectorBytes: 100 });
    const upload = await small.app.request("/v1/vectors", {
      method: "POST",
      body: new Uint8Array(101),
    });
    expect(await errorOf(upload)).toMatchObject({ status: 413, code: "body_too_large" });
    const chat = await small.app.request(CHAT, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "x".repeat(100) }] }),
    });
    expect(chat.headers.get("connection")).toBe("close");
    const error = await errorOf(chat);
    expect(error).toMatchObject({ status: 413, code: "body_too_large", param: "body" });
    expect(error.message).toContain("over 100 bytes");
  });
});

describe("errors name the field the client sent", () => {
  const long = "word ".repeat(CONTEXT + 50);

  it("a prompt past the context is `messages` on chat, `prompt` on completions", async () => {
    const chat = await post(CHAT, { messages: [{ role: "user", content: long }] });
    expect(await errorOf(chat)).toMatchObject({
      status: 400,
      code: "context_length_exceeded",
      param: "messages",
    });
    const completion = await post(COMPLETIONS, { prompt: long });
    expect(await errorOf(completion)).toMatchObject({
      status: 400,
      code: "context_length_exceeded",
      param: "prompt",
    });
  });

  it.each([
    [CHAT, { messages: DAY_PROMPT, max_tokens: 100_000 }, "max_tokens"],
    [CHAT, { messages: DAY_PROMPT, max_completion_tokens: 100_000 }, "max_completion_tokens"],
    [COMPLETIONS, { prompt: "The day was", max_tokens: 100_000 }, "max_tokens"],
  ])("%s refuses %j: it does not fit the context with the prompt", async (route, body, param) => {
    const error = await errorOf(await post(route, body));
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded", param });
    expect(error.message).toMatch(
      new RegExp(
        `^100000 new tokens do not fit: the context holds ${CONTEXT} tokens .*at most \\d+$`,
      ),
    );
  });

  it("a steering vector the node lacks is a 404 naming its key", async () => {
    const missing = "f".repeat(64);
    for (const [route, prompt] of ROUTES) {
      const response = await post(route, { ...prompt, steering: { [missing]: 1 } });
      expect(await errorOf(response)).toMatchObject({
        status: 404,
        code: "vector_not_found",
        param: `steering.${missing}`,
      });
    }
  });

  it("a steering key that is no vector id is a 400 naming it, __proto__ and constructor too", async () => {
    for (const [route, prompt] of ROUTES) {
      for (const key of ["__proto__", "constructor", "toString"]) {
        // JSON.parse makes "__proto__" a plain key, as a client's JSON would.
        const steering = JSON.parse(`{${JSON.stringify(key)}: 1}`);
        expect(await errorOf(await post(route, { ...prompt, steering }))).toMatchObject({
          status: 400,
          code: "invalid_request",
          param: `steering.${key}`,
        });
      }
    }
  });
});

describe("max_tokens", () => {
  it("fits exactly what the context leaves; by default it is cut to that", async () => {
    const prompt = "word ".repeat(CONTEXT - 20);
    const promptTokens = engine.model.tokenize(prompt).length;
    const room = CONTEXT - promptTokens;
    for (const max_tokens of [room, undefined]) {
      const response = await post(COMPLETIONS, { prompt, max_tokens });
      expect(response.status).toBe(200);
      const completion = (await response.json()) as Completion;
      expect(completion.usage).toMatchObject({
        prompt_tokens: promptTokens,
        completion_tokens: room,
      });
      expect(completion.choices[0]?.finish_reason).toBe("length");
    }
  });
});

describe(`${MODEL_ALIAS_HEADER}`, () => {
  const alias = { [MODEL_ALIAS_HEADER]: "sm_cheerful" };

  it("names the model in whole answers and in every chunk, chat and completions", async () => {
    for (const [route, prompt] of ROUTES) {
      const plain = (await (await post(route, { ...prompt, max_tokens: 2 })).json()) as Completion;
      expect(plain.model).toBe("steer-test");
      const whole = await post(route, { ...prompt, max_tokens: 2 }, alias);
      expect(((await whole.json()) as ChatCompletion | Completion).model).toBe("sm_cheerful");
      const streamed = await chunks(
        await post(route, { ...prompt, max_tokens: 2, stream: true }, alias),
      );
      expect(streamed.length).toBeGreaterThan(1);
      expect(streamed.map((chunk) => chunk.model)).toEqual(streamed.map(() => "sm_cheerful"));
    }
  });
});

describe(`${METERING_HEADER}`, () => {
  it.each(ROUTES)(
    "%s ends the stream with the usage, and no usage elsewhere",
    async (route, prompt) => {
      const body = { ...prompt, max_tokens: 3, stream: true };
      const metered = await chunks(await post(route, body, { [METERING_HEADER]: "1" }));
      const last = metered.at(-1);
      expect(last).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
      expect(metered.slice(0, -1).some((chunk) => "usage" in chunk)).toBe(false);
      const plain = await chunks(await post(route, body));
      expect(plain.some((chunk) => "usage" in chunk)).toBe(false);
      expect(plain).toHaveLength(metered.length - 1);
    },
  );

  it.each(ROUTES)(
    "%s with include_usage stays OpenAI's: usage null in every other chunk",
    async (route, prompt) => {
      const body = {
        ...prompt,
        max_tokens: 3,
        stream: true,
        stream_options: { include_usage: true },
      };
      const both: Record<string, string>[] = [{}, { [METERING_HEADER]: "1" }];
      for (const headers of both) {
        const streamed = await chunks(await post(route, body, headers));
        expect(streamed.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
        expect(streamed.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
      }
    },
  );
});
