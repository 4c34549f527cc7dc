// Bad input to POST /v1/chat/completions's response_format (probe.ts says what each answer must
// be): every field of a structured request varied, and schemas no answer could be held to.
import { describe, it } from "vitest";
import { chatCompletionRequestSchema } from "../../../edge/src/api/chat.ts";
import {
  jsonSchemaFormat,
  STRUCTURED_FORMAT,
  schemaParam,
  UNSUPPORTED_SCHEMAS,
} from "../../support/response-formats.ts";
import { BASE_MODEL } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

describe("bad input: structured outputs", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field (the keyword's place in a schema), never a 5xx or a hang", async () => {
    const { key } = await newAccount();
    // More cases than an account may send in a minute: on the base model, any caller's will do.
    const probe = workerProbe(key, { renewToken: async () => (await newAccount()).key });
    const messages = [{ role: "user", content: "Hi" }];
    const valid = {
      model: BASE_MODEL,
      messages,
      max_tokens: 2,
      response_format: STRUCTURED_FORMAT,
    };
    const route = "/v1/chat/completions";
    await probe.fields(route, valid, chatCompletionRequestSchema, "response_format");
    for (const { name, schema, at } of UNSUPPORTED_SCHEMAS) {
      const body = JSON.stringify({ ...valid, response_format: jsonSchemaFormat(schema) });
      const expectation = { name, field: schemaParam(at), expect: "refused" } as const;
      await probe.check(route, { body, contentType: "application/json" }, expectation);
    }
    probe.expectAllAnswered();
    await expectServing(key, BASE_MODEL);
  });
});
