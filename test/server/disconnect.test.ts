// A client that goes away mid-stream frees its generation (in process, through app.request).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
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
