// /metrics' token series, in process through app.request: tokens count as they are generated, the
// rate is over the last 10 s, and prompt tokens add up to the usage answered.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { ChatCompletion } from "../../shared/openai/chat.ts";
import { loadTestEngine } from "../support/engine.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;
let app: InProcessNode["app"];

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  ({ app } = await openApp(engine, dir));
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

function chat(body: Record<string, unknown>) {
  return app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: DAY_PROMPT, ...body }),
  });
}

async function sample(name: string): Promise<number> {
  const text = await (await app.request("/metrics")).text();
  expect(text).toContain(`# TYPE ${name} `);
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
}

it("counts tokens as they come, their rate, and prompt tokens", async () => {
  const stream = await chat({ max_tokens: 200, stream: true });
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
  let seen = 0;
  while (seen === 0) {
    await reader.read();
    seen = await sample("steer_tokens_generated_total");
  }
  // Mid-stream: tokens are counted before the completion is.
  expect(await sample("steer_completions_total")).toBe(0);
  while (!(await reader.read()).done);

  const whole = (await (await chat({ max_tokens: 7 })).json()) as ChatCompletion;
  expect(await sample("steer_completions_total")).toBe(2);
  const generated = await sample("steer_tokens_generated_total");
  expect(generated).toBe(200 + 7);
  expect(await sample("steer_tokens_per_second")).toBe(generated / 10);
  expect(await sample("steer_prompt_tokens_total")).toBe(2 * (whole.usage?.prompt_tokens ?? 0));
});
