// A streamed answer names its prompt's size in a header before the first chunk (in process).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { PROMPT_TOKENS_HEADER } from "../../shared/node-api/headers.ts";
import { loadTestEngine } from "../support/engine.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;
let node: InProcessNode;

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  node = await openApp(engine, dir);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(route: string, body: object): Promise<Response> {
  return node.app.request(route, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The usage chunk's prompt_tokens, from the whole SSE text. */
function streamedPromptTokens(sse: string): number | undefined {
  const usage = sse
    .split("\n\n")
    .map((event) => event.replace(/^data: /, ""))
    .filter((data) => data.startsWith("{"))
    .map((data) => JSON.parse(data) as { usage?: { prompt_tokens: number } | null })
    .find((chunk) => chunk.usage)?.usage;
  return usage?.prompt_tokens;
}

it.each([
  ["/v1/chat/completions", { messages: DAY_PROMPT }],
  ["/v1/completions", { prompt: "The day was" }],
])("%s streams with the prompt's token count in a header", async (route, prompt) => {
  const stream = { max_tokens: 3, stream: true, stream_options: { include_usage: true } };
  const response = await post(route, { ...prompt, ...stream });
  const header = response.headers.get(PROMPT_TOKENS_HEADER);
  const promptTokens = streamedPromptTokens(await response.text());
  expect(promptTokens).toBeGreaterThan(1);
  expect(header).toBe(String(promptTokens));
});

it("leaves the header off a whole answer, whose usage says it all", async () => {
  const response = await post("/v1/chat/completions", { messages: DAY_PROMPT, max_tokens: 2 });
  expect(response.status).toBe(200);
  expect(response.headers.has(PROMPT_TOKENS_HEADER)).toBe(false);
});
