// What the end-to-end tests do through the public API: make a steerable model on the test
// model's planted trait (cheerful vs gloomy), wait for it to train, read the metering, and make
// another customer's account (the operator API).
import OpenAI from "openai";
import { afterAll, beforeAll, expect } from "vitest";
import type { CreatedAccount } from "../../edge/src/api/accounts.ts";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import type { UsageRequest, UsageRequestList } from "../../edge/src/api/usage.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/index.ts";
import { type Stack, startStack } from "./stack.ts";

/** The trait the test model carries, described by four of the antonyms it was planted with. */
export const CHEERFUL = {
  cheerful: {
    positive_examples: CONCEPT_WORDS.positive.slice(0, 4),
    negative_examples: CONCEPT_WORDS.negative.slice(0, 4),
  },
};

export const TRAIN_TIMEOUT_MS = 120_000;

/** Creates a model at `route` (the original /steerable-model or /v1/steerable-models), on the
 * default base model with the default openers, as the original's quickstart does but for them. */
export async function createCheerful(stack: Stack, route: string): Promise<SteerableModel> {
  const response = await stack.call(route, {
    method: "POST",
    body: JSON.stringify({ model_label: "cheerful test", control_dimensions: CHEERFUL }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  return (await response.json()) as SteerableModel;
}

/** Polls the model until it is ready or failed. */
export async function untilTrained(stack: Stack, route: string): Promise<SteerableModel> {
  const deadline = Date.now() + TRAIN_TIMEOUT_MS;
  for (;;) {
    const model = (await (await stack.call(route)).json()) as SteerableModel;
    if (model.status === "ready" || model.status === "failed") return model;
    if (Date.now() > deadline) throw new Error(`still ${model.status} after the timeout`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function readyCheerful(stack: Stack): Promise<SteerableModel> {
  const created = await createCheerful(stack, "/v1/steerable-models");
  const model = await untilTrained(stack, `/v1/steerable-models/${created.id}`);
  expect(model.status, model.failure_reason ?? "").toBe("ready");
  return model;
}

/** The openai client on the stack's edge, as `apiKey`; it never retries, so failures show. */
export function openAiClient(stack: Stack, apiKey = stack.apiKey): OpenAI {
  return new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey, maxRetries: 0 });
}

/**
 * For a test file: a stack (npm start, with `env` besides), its ready cheerful model and an openai client as the development key,
 * started before its tests and stopped after them. Read them from the answer once the tests run.
 */
export function stackWithCheerful(env: NodeJS.ProcessEnv = {}): {
  stack: Stack;
  model: SteerableModel;
  client: OpenAI;
} {
  const setup = {} as { stack: Stack; model: SteerableModel; client: OpenAI };
  beforeAll(async () => {
    setup.stack = await startStack(env);
    setup.client = openAiClient(setup.stack);
    setup.model = await readyCheerful(setup.stack);
  }, TRAIN_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await setup.stack?.stop();
  });
  return setup;
}

/** A new account made with the stack's operator token; its admin key is `.key.key`. */
export async function createAccount(stack: Stack, name: string): Promise<CreatedAccount> {
  const response = await stack.call("/v1/accounts", {
    key: stack.operatorToken,
    method: "POST",
    body: JSON.stringify({ name }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as CreatedAccount;
}

export interface TokenTotals {
  /** Metered requests: one usage row each. */
  requests: number;
  prompt: number;
  completion: number;
}

/**
 * The caller's metered requests and tokens for `model`, summed over days (GET /v1/usage), once
 * there are at least `requests` of them: metering is written shortly after each answer.
 */
export async function meteredTokens(
  stack: Stack,
  model: string,
  requests = 0,
): Promise<TokenTotals> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const totals = await usageOf(stack, model);
    if (totals.requests >= requests || Date.now() > deadline) return totals;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The usage row of the request whose answer carried `requestId` (GET /v1/usage/requests), once
 * the usage queue's consumer has written it.
 */
export async function meteredRequest(stack: Stack, requestId: string): Promise<UsageRequest> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await stack.call("/v1/usage/requests?limit=100");
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as UsageRequestList;
    const row = data.find((row) => row.request_id === requestId);
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`no usage row of request ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function usageOf(stack: Stack, model: string): Promise<TokenTotals> {
  const response = await stack.call("/v1/usage");
  expect(response.status).toBe(200);
  const rows = ((await response.json()) as { data: UsageRow[] }).data;
  return rows
    .filter((row) => row.model === model)
    .reduce(
      (sum, row) => ({
        requests: sum.requests + row.requests,
        prompt: sum.prompt + row.prompt_tokens,
        completion: sum.completion + row.completion_tokens,
      }),
      { requests: 0, prompt: 0, completion: 0 },
    );
}

interface UsageRow {
  model: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
}
