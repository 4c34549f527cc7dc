// A real `steer serve` under several clients: each keeps its own steering, one that leaves frees its
// slot at once, and every request leaves one JSON log line with the usage its client got.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_PROMPT } from "../support/planted.ts";
import { steeredAnswer, uploadPlanted } from "./planted-server.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

let vectorsDir: string;
let server: ServerProcess;
let client: OpenAI;
let cheerfulId: string;

beforeAll(async () => {
  vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  server = await startServer({ vectorsDir });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  ({ id: cheerfulId } = await uploadPlanted(server.url));
});

afterAll(async () => {
  await server?.stop();
  await rm(vectorsDir, { recursive: true, force: true });
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
}

describe("concurrent clients", () => {
  it("each get, steered differently at once, the answer they get alone", async () => {
    // 0.1, not 0.5 or -0.1: the planted trait saturates, and they write what 1 or -1 do.
    const multipliers = [1, -1, 0, 0.1];
    const alone: string[] = [];
    for (const m of multipliers) alone.push(await steeredAnswer(client, cheerfulId, m, 24));
    expect(new Set(alone).size).toBe(multipliers.length);
    const together = await Promise.all(
      multipliers.map((m) => steeredAnswer(client, cheerfulId, m, 24)),
    );
    expect(together).toEqual(alone);
  });

  it("frees the slot of a client that leaves mid-stream at once", async () => {
    const leaving = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "leaver" },
      body: JSON.stringify({ messages: DAY_PROMPT, max_tokens: 400, stream: true }),
      signal: leaving.signal,
    });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    expect(await metric("steer_active_requests")).toBe(1);
    leaving.abort();
    const left = Date.now();
    while ((await metric("steer_active_requests")) > 0 && Date.now() - left < 1000);
    expect(await metric("steer_active_requests")).toBe(0);
    expect(Date.now() - left).toBeLessThan(1000);
    expect(await steeredAnswer(client, cheerfulId, 1)).not.toBe("");
    const record = await server.logOf("leaver");
    expect(record).toMatchObject({ status: 200, stream: true, finish_reason: "cancelled" });
    expect(record.completion_tokens).toBeLessThan(400);
  });
});

describe("the request log", () => {
  it("writes one JSON line per request, with its id and the usage its client got", async () => {
    const before = server.logLines().length;
    const request = {
      model: "steer-test",
      messages: DAY_PROMPT,
      max_tokens: 5,
      steering: { [cheerfulId]: 0.5 },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const whole = await client.chat.completions
      .create(request, { headers: { "x-request-id": "whole-1" } })
      .withResponse();
    expect(whole.response.headers.get("x-request-id")).toBe("whole-1");
    const stream = await client.chat.completions.create(
      { ...request, max_tokens: 6, stream: true, stream_options: { include_usage: true } },
      { headers: { "x-request-id": "stream-1" } },
    );
    let streamUsage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) streamUsage = chunk.usage ?? streamUsage;
    const missing = await fetch(`${server.url}/nowhere`, {
      headers: { "x-request-id": "not a sane id" },
    });
    const generatedId = missing.headers.get("x-request-id") ?? "";
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);

    const generation = {
      level: "info",
      msg: "request",
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      steering: { [cheerfulId]: 0.5 },
      finish_reason: "length",
    };
    expect(await server.logOf("whole-1")).toMatchObject({
      ...generation,
      stream: false,
      prompt_tokens: whole.data.usage?.prompt_tokens,
      completion_tokens: whole.data.usage?.completion_tokens,
    });
    expect(await server.logOf("stream-1")).toMatchObject({
      ...generation,
      stream: true,
      prompt_tokens: streamUsage?.prompt_tokens,
      completion_tokens: streamUsage?.completion_tokens,
    });
    const notFound = await server.logOf(generatedId);
    expect(notFound).toMatchObject({ level: "info", method: "GET", path: "/nowhere", status: 404 });
    expect(notFound).not.toHaveProperty("completion_tokens");

    const lines = server.logLines().slice(before);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const record = JSON.parse(line);
      expect(new Date(record.time).toISOString()).toBe(record.time);
      expect(record.latency_ms).toBeGreaterThanOrEqual(0);
      expect(line).not.toContain(DAY_PROMPT[0]?.content);
    }
  });
});
