// POST /v1/chat/completions through the Worker to the real GPU node: steering by trait name (of
// the named model, or of any of the caller's), streams passed through, answers naming the model
// asked for, a usage row for every answer, and requests refused with OpenAI's errors.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { beforeAll, describe, expect, it } from "vitest";
import { steerableModels } from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import {
  BASE_MODEL,
  cheerfulWords,
  DAY_PROMPT,
  nodeFetch,
  openAiClient,
  plantedModel,
} from "./steered-model.ts";
import { call, newAccount, streamedChunks, usageRows } from "./support.ts";

let account: Awaited<ReturnType<typeof newAccount>>;
let model: Awaited<ReturnType<typeof plantedModel>>;

beforeAll(async () => {
  account = await newAccount();
  model = await plantedModel(account.accountId);
});

/** An openai client's request with Steer's extension. */
type Steered = ChatCompletionCreateParamsNonStreaming & { steering: Record<string, number> };

function chat(body: object, key = account.key): Promise<Response> {
  return call("/v1/chat/completions", { method: "POST", key, body: JSON.stringify(body) });
}

describe("POST /v1/chat/completions", () => {
  const request = { messages: DAY_PROMPT, max_tokens: 8 };

  it("steers a steerable model by trait name, through the openai client", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const client = openAiClient(key);
    const answer = (multiplier: number) => {
      const params: Steered = { model: id, ...request, steering: { cheerful: multiplier } };
      return client.chat.completions.create(params);
    };
    const cheerful = await answer(1);
    const plain = await answer(0);
    expect(cheerfulWords(cheerful.choices[0]?.message.content ?? "")).toBeGreaterThanOrEqual(6);
    expect(cheerfulWords(plain.choices[0]?.message.content ?? "")).toBe(0);
    // The answer names the model asked for, as OpenAI's do.
    expect(cheerful.model).toBe(id);
    const streamParams = {
      model: id,
      ...request,
      steering: { cheerful: 1 },
      stream: true as const,
    };
    const stream = await client.chat.completions.create(streamParams);
    let streamed = "";
    for await (const chunk of stream) {
      expect(chunk.model).toBe(id);
      streamed += chunk.choices[0]?.delta.content ?? "";
    }
    expect(streamed).toBe(cheerful.choices[0]?.message.content);
    const rows = await usageRows(accountId, 3);
    expect(rows[0]).toMatchObject({
      model: id,
      endpoint: "/v1/chat/completions",
      promptTokens: cheerful.usage?.prompt_tokens,
      completionTokens: 8,
      outcome: "completed",
    });
  });

  it("streams the whole answer's text, with the usage chunk only when asked", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const steered = { model: id, ...request, steering: { cheerful: 1 } };
    const whole = (await (await chat(steered, key)).json()) as {
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    const plainStream = await chat({ ...steered, stream: true }, key);
    expect(plainStream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const plainChunks = await streamedChunks(plainStream);
    const text = plainChunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(whole.choices[0]?.message.content);
    // A client that did not ask for usage sees no usage field at all, as from OpenAI.
    expect(plainChunks.every((chunk) => chunk.choices.length > 0 && !("usage" in chunk))).toBe(
      true,
    );

    const usageChunks = await streamedChunks(
      await chat({ ...steered, stream: true, stream_options: { include_usage: true } }, key),
    );
    expect(usageChunks.at(-1)).toMatchObject({ choices: [], usage: whole.usage });
    expect(usageChunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);

    const rows = await usageRows(accountId, 3);
    for (const row of rows) {
      expect(row).toMatchObject({
        promptTokens: whole.usage.prompt_tokens,
        completionTokens: whole.usage.completion_tokens,
        outcome: "completed",
      });
    }
  });

  it("answers under the edge's own request id, which keys its usage row, with rate-limit headers", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const ids: string[] = [];
    for (const stream of [false, true]) {
      const response = await call("/v1/chat/completions", {
        method: "POST",
        key,
        // A client's id is not taken: two requests could share it, and be billed once.
        headers: { "x-request-id": "the-clients-own" },
        body: JSON.stringify({ model: id, ...request, stream }),
      });
      expect(response.status).toBe(200);
      const requestId = response.headers.get("x-request-id") ?? "";
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      ids.push(requestId);
      expect(response.headers.get("x-ratelimit-limit-requests")).toMatch(/^\d+$/);
      expect(response.headers.get("x-ratelimit-remaining-tokens")).toMatch(/^\d+$/);
      await response.text();
    }
    const rows = await usageRows(accountId, 2);
    expect(rows.map((row) => row.requestId).sort()).toEqual(ids.sort());
  });

  it("meters a stream its client cancels midway", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const response = await chat({ model: id, messages: DAY_PROMPT, stream: true }, key);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (let i = 0; i < 3; i++) await reader.read();
    await reader.cancel();
    const [row] = await usageRows(accountId, 1);
    expect(row).toMatchObject({ model: id, outcome: "cancelled" });
    expect(row?.promptTokens).toBeGreaterThan(1);
    expect(row?.completionTokens).toBeGreaterThan(0);
    expect(row?.completionTokens).toBeLessThan(256);
  });

  it("stops the generation of a whole answer whose client left, and meters what was made", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const client = new AbortController();
    const maxTokens = 450;
    const body = JSON.stringify({ model: id, messages: DAY_PROMPT, max_tokens: maxTokens });
    const sent = call("/v1/chat/completions", { method: "POST", key, body, signal: client.signal });
    setTimeout(() => client.abort(), 100);
    await expect(sent).rejects.toThrow();
    const [row] = await usageRows(accountId, 1);
    expect(row).toMatchObject({ model: id, outcome: "cancelled" });
    expect(row?.completionTokens).toBeGreaterThan(0);
    expect(row?.completionTokens).toBeLessThan(maxTokens);
  });

  it("uploads a vector the node lacks from R2", async () => {
    const forgotten = await nodeFetch(`/v1/vectors/${model.hash}`, { method: "DELETE" });
    expect([200, 404]).toContain(forgotten.status);
    expect((await nodeFetch(`/v1/vectors/${model.hash}`)).status).toBe(404);
    const response = await chat({ model: model.id, ...request, steering: { cheerful: 1 } });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(cheerfulWords(completion.choices[0]?.message.content ?? "")).toBeGreaterThanOrEqual(6);
    expect((await nodeFetch(`/v1/vectors/${model.hash}`)).status).toBe(200);
  });

  it("steers with any of the caller's traits, named <model id>/<trait>, on any model", async () => {
    const { accountId, key } = await newAccount();
    const mine = await plantedModel(accountId);
    const other = await plantedModel(accountId);
    const onBase = await chat(
      { model: BASE_MODEL, ...request, steering: { [`${mine.id}/cheerful`]: 1 } },
      key,
    );
    expect(onBase.status).toBe(200);
    const base = (await onBase.json()) as {
      model: string;
      choices: { message: { content: string } }[];
    };
    expect(base.model).toBe(BASE_MODEL);
    expect(cheerfulWords(base.choices[0]?.message.content ?? "")).toBeGreaterThanOrEqual(6);
    // Another model's trait mixes with the named model's own: here they cancel out.
    const mixed = await chat(
      { model: mine.id, ...request, steering: { cheerful: 1, [`${other.id}/cheerful`]: -1 } },
      key,
    );
    const completion = (await mixed.json()) as { choices: { message: { content: string } }[] };
    expect(cheerfulWords(completion.choices[0]?.message.content ?? "")).toBe(0);
  });

  it("serves the base model unsteered, metered under its name", async () => {
    const { accountId, key } = await newAccount();
    const response = await chat({ model: BASE_MODEL, ...request }, key);
    expect(response.status).toBe(200);
    const [row] = await usageRows(accountId, 1);
    expect(row).toMatchObject({ model: BASE_MODEL, completionTokens: 8, outcome: "completed" });
  });

  it("stops serving a model the moment it is deleted, though it was just used", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    expect((await chat({ ...request, model: id }, key)).status).toBe(200);
    const deleted = await call(`/v1/steerable-models/${id}`, { method: "DELETE", key });
    expect(deleted.status).toBe(200);
    const after = await chat({ ...request, model: id }, key);
    expect(after.status).toBe(404);
  });

  it("says so when no node serves the base model a steerable model was made for", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    await database(env.DB)
      .update(steerableModels)
      .set({ baseModel: "llama-2-7b" })
      .where(eq(steerableModels.id, id));
    const response = await chat({ ...request, model: id }, key);
    const { error } = (await response.json()) as ApiErrorBody;
    expect({ status: response.status, code: error.code }).toEqual({
      status: 503,
      code: "base_model_unavailable",
    });
  });

  it("refuses what it cannot serve, naming the field", async () => {
    const other = await newAccount();
    const theirs = await plantedModel(other.accountId);
    const pending = await plantedModel(account.accountId, "training");
    const theirTrait = `${theirs.id}/cheerful`;
    const pendingTrait = `${pending.id}/cheerful`;
    const cases: [object, number, string, string][] = [
      [{ model: theirs.id }, 404, "model", "model_not_found"],
      [{ model: "sm_nothing" }, 404, "model", "model_not_found"],
      [{ model: pending.id }, 409, "model", "model_not_ready"],
      [{ model: model.id, steering: { gloomy: 1 } }, 400, "steering.gloomy", "unknown_trait"],
      [
        { model: model.id, steering: { cheerful: 100 } },
        400,
        "steering.cheerful",
        "invalid_request",
      ],
      [{ model: BASE_MODEL, steering: { cheerful: 1 } }, 400, "steering.cheerful", "unknown_trait"],
      // Another account's model is as unknown as a made-up one, in steering too.
      [
        { model: model.id, steering: { [theirTrait]: 1 } },
        404,
        `steering.${theirTrait}`,
        "model_not_found",
      ],
      [
        { model: model.id, steering: { [pendingTrait]: 1 } },
        409,
        `steering.${pendingTrait}`,
        "model_not_ready",
      ],
      [{ model: model.id, steering: { "a/b/c": 1 } }, 400, "steering.a/b/c", "invalid_request"],
      // Keys that name an object's own machinery are no traits either; JSON.parse makes
      // "__proto__" a plain key, as a client's JSON would.
      [
        { model: model.id, steering: JSON.parse('{"__proto__": 1}') },
        400,
        "steering.__proto__",
        "invalid_request",
      ],
      [
        { model: model.id, steering: { constructor: 1 } },
        400,
        "steering.constructor",
        "unknown_trait",
      ],
      [{ model: BASE_MODEL, steering: { toString: 1 } }, 400, "steering.toString", "unknown_trait"],
      // One range for repetition_penalty, here and in /completions' settings.
      [
        { model: model.id, repetition_penalty: 1e308 },
        400,
        "repetition_penalty",
        "invalid_request",
      ],
      [{ messages: DAY_PROMPT }, 400, "model", "invalid_request"],
      // A field the route does not know: /completions' control_settings is not chat's steering.
      [
        { model: model.id, control_settings: { cheerful: 1 } },
        400,
        "control_settings",
        "unknown_field",
      ],
      // More than the context holds: refused at once, not generated for minutes.
      [{ model: model.id, max_tokens: 100_000 }, 400, "max_tokens", "context_length_exceeded"],
    ];
    for (const [body, status, param, code] of cases) {
      const response = await chat({ ...request, ...body });
      const { error } = (await response.json()) as ApiErrorBody;
      expect({ status: response.status, param: error.param, code: error.code }).toEqual({
        status,
        param,
        code,
      });
    }
  });
});
