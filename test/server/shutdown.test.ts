// Stopping `steer serve`: while it stops it refuses new work but lets open streams finish, for up to
// --shutdown-grace seconds; then it cancels them, and either way exits 0.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { loadTestEngine } from "../support/engine.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import { openApp } from "./in-process.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

let vectorsDir: string;

beforeAll(async () => {
  vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
});

afterAll(async () => {
  await rm(vectorsDir, { recursive: true, force: true });
});

const streamed = {
  method: "POST",
  headers: { "content-type": "application/json", "x-request-id": "in-flight" },
  body: JSON.stringify({
    messages: DAY_PROMPT,
    max_tokens: 400,
    stream: true,
    stream_options: { include_usage: true },
  }),
};

/** Starts a long stream, signals SIGTERM once its first event is in, and reads it to the end. */
async function streamThroughSigterm(server: ServerProcess) {
  const response = await fetch(`${server.url}/v1/chat/completions`, streamed);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  server.kill("SIGTERM");
  // Once the server says it is stopping, it no longer takes connections.
  const signalled = Date.now();
  while (!server.stderr().includes("stopping") && Date.now() - signalled < 5000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const after = await fetch(`${server.url}/readyz`).then(
    (r) => r.status,
    () => "refused",
  );
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += decoder.decode(chunk.value, { stream: true });
  }
  const events = [...text.matchAll(/^data: (.*)$/gm)].map((m) => m[1] as string);
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  return {
    after,
    last: events.at(-1),
    finishReason: chunks.findLast((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason,
    completionTokens: chunks.at(-1)?.usage?.completion_tokens as number,
    exitCode: await server.exited,
    log: await server.logOf("in-flight"),
  };
}

describe("graceful shutdown", () => {
  it("lets an open stream finish, refuses what comes after, and exits 0", async () => {
    const server = await startServer({ vectorsDir });
    const run = await streamThroughSigterm(server);
    expect(server.stderr()).toContain("for 1 open request");
    expect(run.after).toBe("refused");
    expect(run).toMatchObject({ last: "[DONE]", finishReason: "length", completionTokens: 400 });
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatchObject({ status: 200, finish_reason: "length", completion_tokens: 400 });
  });

  it("cuts open streams short after --shutdown-grace 0, still exiting 0", async () => {
    const server = await startServer({ vectorsDir, args: ["--shutdown-grace", "0"] });
    const run = await streamThroughSigterm(server);
    expect(run).toMatchObject({ last: "[DONE]", finishReason: "stop" });
    expect(run.completionTokens).toBeLessThan(400);
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatchObject({ finish_reason: "cancelled" });
  });

  it("answers 503 to new work and to readyz while stopping, in process", async () => {
    const engine = await loadTestEngine();
    const { app, records } = await openApp(engine, vectorsDir, { isClosing: () => true });
    try {
      for (const pathname of ["/v1/chat/completions", "/v1/completions", "/v1/extractions"]) {
        const response = await app.request(pathname, { ...streamed, body: "{}" });
        expect(response.status).toBe(503);
        expect(response.headers.get("connection")).toBe("close");
        expect(((await response.json()) as ApiErrorBody).error.code).toBe("shutting_down");
      }
      expect((await app.request("/readyz")).status).toBe(503);
      expect((await app.request("/v1/models")).status).toBe(200);
      expect(records.map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    } finally {
      await engine.close();
    }
  });
});
