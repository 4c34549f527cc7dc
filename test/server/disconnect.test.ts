// Stopping a generation early (in process, through app.request): a client that goes away mid-stream
// frees it; a sender that gave it an id can cancel it by that id, and a whole answer then comes at
// once, with what was made and its usage.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { GENERATION_ID_HEADER } from "../../shared/node-api/headers.ts";
import type { ChatCompletion } from "../../shared/openai/chat.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { loadTestEngine } from "../support/engine.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import { openApp } from "./in-process.ts";

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

it("answers a cancelled whole answer at once, with what was made and its usage", async () => {
  const { app, records } = await openApp(engine, dir);
  const maxTokens = 450;
  const answer = app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", [GENERATION_ID_HEADER]: "g-1" },
    body: JSON.stringify({ messages: DAY_PROMPT, max_tokens: maxTokens }),
  });
  while (engine.stats.activeRequests === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));

  const cancel = () => app.request("/v1/generations/g-1/cancel", { method: "POST" });
  const cancelled = await cancel();
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
  const again = await cancel();
  expect(again.status).toBe(404);
  expect(((await again.json()) as ApiErrorBody).error.code).toBe("generation_not_found");
});
