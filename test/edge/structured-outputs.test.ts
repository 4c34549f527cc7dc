// Structured answers through the Worker (response_format on /v1/chat/completions), to the real
// GPU node: answers that follow their JSON schema (checked by ajv), steered by trait name or not,
// sent at once, whole or streamed; a schema no answer could be held to is the edge's own 400,
// naming the keyword's place, before any node is asked.
import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { schemaViolation } from "../support/json-schema.ts";
import {
  jsonSchemaFormat,
  PERSON_SCHEMA,
  schemaParam,
  UNSUPPORTED_SCHEMAS,
} from "../support/response-formats.ts";
import { DAY_PROMPT, openAiClient, plantedModel } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";

const format = jsonSchemaFormat(PERSON_SCHEMA);

describe("response_format through the edge", () => {
  it("holds for steered and unsteered answers sent at once, whole and streamed", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const client = openAiClient(key);
    const answer = async (cheerful: number | null, response_format: object = format) => {
      const completion = await client.chat.completions.create({
        model: id,
        messages: DAY_PROMPT,
        max_tokens: 120,
        response_format: response_format as typeof format,
        // @ts-expect-error Steer's extension field
        steering: cheerful === null ? undefined : { cheerful },
      });
      return completion.choices[0];
    };
    const answers = await Promise.all([
      answer(null),
      answer(1),
      answer(-1),
      answer(null, { type: "json_object" }),
    ]);
    expect(new Set(answers.slice(0, 3).map((a) => a?.message.content)).size).toBe(3);
    for (const choice of answers.slice(0, 3)) {
      expect(choice?.finish_reason).toBe("stop");
      expect(schemaViolation(PERSON_SCHEMA, choice?.message.content ?? "")).toBeNull();
    }
    expect(schemaViolation({ type: "object" }, answers[3]?.message.content ?? "")).toBeNull();

    const stream = await client.chat.completions.create({
      model: id,
      messages: DAY_PROMPT,
      max_tokens: 120,
      response_format: format,
      stream: true,
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe(answers[0]?.message.content);
  });

  it("refuses a schema no answer could be held to, naming the keyword and its place", async () => {
    const { key } = await newAccount();
    for (const { name, schema, at, says } of UNSUPPORTED_SCHEMAS) {
      const body = {
        model: "steer-test",
        messages: DAY_PROMPT,
        response_format: jsonSchemaFormat(schema),
      };
      const response = await call("/v1/chat/completions", {
        method: "POST",
        key,
        body: JSON.stringify(body),
      });
      const { error } = (await response.json()) as ApiErrorBody;
      expect([name, response.status, error.param]).toEqual([name, 400, schemaParam(at)]);
      expect(error.message, name).toContain(says);
    }
  });
});
