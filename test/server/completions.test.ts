// POST /v1/completions (OpenAI's legacy text completions) on a real `steer serve` process, through
// the official openai client; the model is given as an hf: URI already in the model cache.
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath } from "../support/engine.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

const URI = "hf:steer/test-model/steer-test.gguf";
let dir: string;
let server: ServerProcess;
let client: OpenAI;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "steer-completions-"));
  // node-llama-cpp names a cached hf:USER/REPO/FILE as hf_USER_REPO_FILE.
  await mkdir(path.join(dir, "models"));
  await copyFile(testModelPath, path.join(dir, "models", "hf_steer_test-model_steer-test.gguf"));
  server = await startServer({
    vectorsDir: path.join(dir, "vectors"),
    model: URI,
    args: ["--models-dir", path.join(dir, "models")],
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("POST /v1/completions", () => {
  const request = { model: "steer-test", prompt: "The day was", max_tokens: 6, seed: 1 };

  it("answers a whole text_completion, served under the URI's name", async () => {
    const completion = await client.completions.create(request);
    expect(completion.object).toBe("text_completion");
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.model).toBe("steer/test-model/steer-test.gguf");
    const [choice] = completion.choices;
    expect(choice).toMatchObject({ index: 0, finish_reason: "length", logprobs: null });
    expect(choice?.text.length).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBe(6);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it("streams text_completion chunks that add up to the whole answer", async () => {
    const whole = await client.completions.create(request);
    const stream = await client.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const reasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("text_completion");
      for (const choice of chunk.choices) {
        text += choice.text;
        reasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]?.text);
    expect(reasons.at(-1)).toBe("length");
    expect(reasons.slice(0, -1).every((reason) => reason === null)).toBe(true);
    expect(usage?.completion_tokens).toBe(6);
  });

  it("rejects an invalid request with OpenAI's error shape", async () => {
    const error = await client.completions
      .create({ model: "steer-test", prompt: "x", temperature: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("temperature");
  });
});
