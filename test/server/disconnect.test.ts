// Stopping a generation early (in process, through app.request): a client that goes away mid-stream
// frees it; a sender that gave it an id can cancel it by that id, and the answer then ends at once,
// with what was made and its usage: a whole answer, or a stream with its finish and usage chunks.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { GENERATION_ID_HEADER } from "../../shared/node-api/headers.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../../shared/openai/chat.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { loadTestEngine } from "../support/engine.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

it("cancels the generation when the client disconnects mid-stream", async () => {
  const { app } = await openApp(engine, dir);
  const client = new AbortController();
  const response = await app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: DAY_PROMPT, max_tokens: 400, stream: true }),
    signal: client.signal,
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  expect(engine.stats.activeRequests + engine.stats.queueDepth).toBe(1);
  client.abort();
  await reader.cancel().catch(() => undefined);
  const started = Date.now();
  while (engine.stats.activeRequests + engine.stats.queueDepth > 0 && Date.now() - started < 300) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(engine.stats.activeRequests + engine.stats.queueDepth).toBe(0);
});

/** Sends a generation under the id "g-1"; resolves, with its answer to come, once it has run a while. */
async function runningUnderId(app: InProcessNode["app"], body: object) {
  const answer = app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", [GENERATION_ID_HEADER]: "g-1" },
    body: JSON.stringify({ messages: DAY_PROMPT, ...body }),
  });
  while (engine.stats.activeRequests === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { answer };
}

const cancel = (app: InProcessNode["app"]) =>
  app.request("/v1/generations/g-1/cancel", { method: "POST" });

it("answers a cancelled whole answer at once, with what was made and its usage", async () => {
  const { app, records } = await openApp(engine, dir);
  const maxTokens = 450;
  const { answer } = await runningUnderId(app, { max_tokens: maxTokens });

  const cancelled = await cancel(app);
  expect(cancelled.status).toBe(200);
  expect(await cancelled.json()).toEqual({ id: "g-1", object: "generation", cancelled: true });

  const response = await answer;
  expect(response.status).toBe(200);
  const completion = (await response.json()) as ChatCompletion;
  expect(completion.usage.completion_tokens).toBeGreaterThan(0);
  expect(completion.usage.completion_tokens).toBeLessThan(maxTokens);
  expect(completion.choices[0]?.message.content).toBeTruthy();
  const logged = records.find((record) => record.path === "/v1/chat/completions");
  expect(logged).toMatchObject({ finish_reason: "cancelled" });
  await expect.poll(() => engine.stats.activeRequests + engine.stats.queueDepth).toBe(0);

  // Over: nothing runs under the id any more.
  const again = await cancel(app);
  expect(again.status).toBe(404);
  expect(((await again.json()) as ApiErrorBody).error.code).toBe("generation_not_found");
});

it("ends a stream cancelled by its id at once, with its finish and usage chunks and [DONE]", async () => {
  const { app } = await openApp(engine, dir);
  const maxTokens = 450;
  const stream = { stream: true, stream_options: { include_usage: true } };
  const { answer } = await runningUnderId(app, { max_tokens: maxTokens, ...stream });
  expect((await cancel(app)).status).toBe(200);
  const response = await answer;
  const events = (await response.text()).split("\n\n").filter(Boolean);
  expect(events.at(-1)).toBe("data: [DONE]");
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
  const [finish, usage] = chunks.slice(-2) as ChatCompletionChunk[];
  expect(finish?.choices[0]?.finish_reason).toBe("stop");
  expect(usage?.usage?.completion_tokens).toBeGreaterThan(0);
  expect(usage?.usage?.completion_tokens).toBeLessThan(maxTokens);
});
