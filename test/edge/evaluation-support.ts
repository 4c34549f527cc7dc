// What the evaluation tests share: an evaluation small enough to take a moment on the test model,
// created through the Worker and read until it has finished.
import { expect, vi } from "vitest";
import type { Evaluation } from "../../edge/src/api/evaluations.ts";
import type { EvaluationResult } from "../../shared/evaluation/result.ts";
import { plantedModel } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";
import { post } from "./training-support.ts";

/** Two prompts at -1, 0 and 1, eight tokens each, no MMLU: a moment on the test model. */
export const QUICK = {
  trait: "cheerful",
  multipliers: [-1, 1],
  prompts: ["Describe your ideal weekend.", "Tell me about the weather today."],
  max_tokens: 8,
  mmlu: { questions: 0 },
};

export async function createEvaluation(key: string, body: object): Promise<Evaluation> {
  const response = await post("/v1/evaluations", body, key);
  expect(response.status, await response.clone().text()).toBe(202);
  const created = (await response.json()) as Evaluation;
  expect(response.headers.get("location")).toBe(`/v1/evaluations/${created.id}`);
  return created;
}

export async function getEvaluation(key: string, id: string): Promise<Evaluation> {
  const response = await call(`/v1/evaluations/${id}`, { key });
  expect(response.status).toBe(200);
  return response.json();
}

/** Reads the evaluation (which reconciles it) until its status is `status`. */
export function waitForEvaluation(
  key: string,
  id: string,
  status: Evaluation["status"] = "succeeded",
) {
  return vi.waitFor(
    async () => {
      const evaluation = await getEvaluation(key, id);
      if (evaluation.status !== status) throw new Error(`status ${evaluation.status}`);
      return evaluation;
    },
    { timeout: 45_000, interval: 200 },
  );
}

/** A succeeded evaluation of a new account's planted model. */
export async function evaluated(body: object = QUICK) {
  const account = await newAccount();
  const model = await plantedModel(account.accountId);
  const { id } = await createEvaluation(account.key, { model: model.id, ...body });
  const evaluation = await waitForEvaluation(account.key, id);
  return { ...account, model, evaluation, result: evaluation.result as EvaluationResult };
}
