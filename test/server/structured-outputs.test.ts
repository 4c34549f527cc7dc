// Structured answers on the GPU node (response_format on /v1/chat/completions), through the
// official openai client against the real `steer serve` process: JSON objects and answers that
// follow a JSON schema (checked by a validator of their own, ajv), steered or not, in one batch,
// whole or streamed; schemas no answer could be held to are 400s naming the keyword's place.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { schemaViolation } from "../support/json-schema.ts";
import { DAY_PROMPT } from "../support/planted.ts";
import {
  jsonSchemaFormat,
  PERSON_SCHEMA,
  ROUTE_SCHEMA,
  schemaParam,
  UNSUPPORTED_SCHEMAS,
} from "../support/response-formats.ts";
import { uploadPlanted } from "./planted-server.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

let vectorsDir: string;
let server: ServerProcess;
let client: OpenAI;
let cheerfulId: string;

beforeAll(async () => {
  vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-structured-"));
  server = await startServer({ vectorsDir });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
  ({ id: cheerfulId } = await uploadPlanted(server.url));
});

afterAll(async () => {
  await server?.stop();
  await rm(vectorsDir, { recursive: true, force: true });
});

type Request = Omit<ChatCompletionCreateParamsNonStreaming, "model" | "messages">;

/** A whole answer to DAY_PROMPT; `multiplier` steers it by the planted cheerful vector. */
async function answer(request: Request, multiplier?: number) {
  const completion = await client.chat.completions.create({
    model: "steer-test",
    messages: DAY_PROMPT,
    max_tokens: 120,
    ...request,
    // @ts-expect-error Steer's extension field
    steering: multiplier === undefined ? undefined : { [cheerfulId]: multiplier },
  });
  const choice = completion.choices[0];
  return { text: choice?.message.content ?? "", finish: choice?.finish_reason };
}

describe("response_format", () => {
  it("json_object: the answer is a JSON object", async () => {
    const { text, finish } = await answer({ response_format: { type: "json_object" } });
    expect(finish).toBe("stop");
    expect(schemaViolation({ type: "object" }, text)).toBeNull();
  });

  it("json_schema: enums, const, required properties, bounds, array lengths, $ref, anyOf, tuples and formats hold", async () => {
    for (const schema of [PERSON_SCHEMA, ROUTE_SCHEMA]) {
      const { text, finish } = await answer({ response_format: jsonSchemaFormat(schema) });
      expect(finish).toBe("stop");
      expect(schemaViolation(schema, text)).toBeNull();
    }
  });

  it("holds for steered and unsteered requests sent at once, batched with a plain one", async () => {
    const format = jsonSchemaFormat(PERSON_SCHEMA);
    const [plain, ...structured] = await Promise.all([
      answer({ max_tokens: 8 }, 1),
      answer({ response_format: format }),
      answer({ response_format: format }, 1),
      answer({ response_format: format }, -1),
      answer({ response_format: { type: "json_object" } }),
    ]);
    expect(plain?.text).not.toMatch(/^\s*\{/);
    expect(new Set(structured.slice(0, 3).map((a) => a.text)).size).toBe(3); // steering matters
    structured.slice(0, 3).forEach(({ text }) => {
      expect(schemaViolation(PERSON_SCHEMA, text)).toBeNull();
    });
    expect(schemaViolation({ type: "object" }, structured[3]?.text ?? "")).toBeNull();
  });

  it("streams as plain text does: the chunks joined follow the schema", async () => {
    const stream = await client.chat.completions.create({
      model: "steer-test",
      messages: DAY_PROMPT,
      max_tokens: 120,
      response_format: jsonSchemaFormat(PERSON_SCHEMA),
      stream: true,
    });
    let text = "";
    let finish: string | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe("stop");
    expect(schemaViolation(PERSON_SCHEMA, text)).toBeNull();
    const whole = await answer({ response_format: jsonSchemaFormat(PERSON_SCHEMA) });
    expect(text).toBe(whole.text);
  });

  it("an answer cut short by max_tokens says length, as OpenAI's do (it may not parse)", async () => {
    const cut = await answer({ max_tokens: 3, response_format: jsonSchemaFormat(PERSON_SCHEMA) });
    expect(cut.finish).toBe("length");
    const whole = await answer({ response_format: jsonSchemaFormat(PERSON_SCHEMA) });
    expect(whole.text.startsWith(cut.text)).toBe(true);
  });

  it("text is a plain answer", async () => {
    const text = await answer({ max_tokens: 8, response_format: { type: "text" } });
    expect(text).toEqual(await answer({ max_tokens: 8 }));
  });

  it("refuses a schema no answer could be held to with a 400 naming the keyword and its place", async () => {
    for (const { name, schema, at, says } of UNSUPPORTED_SCHEMAS) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: DAY_PROMPT, response_format: jsonSchemaFormat(schema) }),
      });
      const { error } = (await response.json()) as ApiErrorBody;
      expect([name, response.status, error.param]).toEqual([name, 400, schemaParam(at)]);
      expect(error.message, name).toContain(says);
    }
  });
});
