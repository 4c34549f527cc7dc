// Bad input to the evaluations: create (its settings, then its MMLU part and margins, each group as
// its own account, as an account may send 600 requests a minute), read, list, delete, and ratings
// (probe.ts says what each answer must be).
import { describe, it } from "vitest";
import { createEvaluationSchema, rateEvaluationSchema } from "../../../edge/src/api/evaluations.ts";
import { evaluated } from "../evaluation-support.ts";
import { plantedModel } from "../steered-model.ts";
import { call, newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

/** An evaluation a change left valid is deleted at once: its job stops on the GPU node. */
async function deleteCreated(answer: Response, token: string) {
  const { id } = (await answer.json()) as { id?: string };
  if (id) await call(`/v1/evaluations/${id}`, { key: token, method: "DELETE" });
}

/** A new account with a ready model, and a probe as it. */
async function probeAsNewAccount() {
  const { accountId, key } = await newAccount();
  const { id } = await plantedModel(accountId);
  return { key, model: id, probe: workerProbe(key, { onAccepted: deleteCreated }) };
}

const SETTINGS = { multipliers: [-1, 1], prompts: ["Hi"], max_tokens: 2, mmlu: { questions: 0 } };

describe("bad input: evaluations", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field when created, never a 5xx or a hang", async () => {
    const { key, model, probe } = await probeAsNewAccount();
    const valid = { model, trait: "cheerful", ...SETTINGS, description: "cheerful" };
    await probe.bodies("/v1/evaluations", valid, createEvaluationSchema);
    probe.expectAllAnswered();
    await expectServing(key, model);
  });

  it("is refused naming the field in its MMLU part and margins", async () => {
    const { key, model, probe } = await probeAsNewAccount();
    const valid = {
      model,
      trait: "cheerful",
      ...SETTINGS,
      mmlu: { questions: 0, shots: 0 },
      max_coherence_drop: 2,
      max_mmlu_drop: 5,
    };
    await probe.bodies("/v1/evaluations", valid, createEvaluationSchema);
    probe.expectAllAnswered();
    await expectServing(key, model);
  });

  it("is refused naming the field when read, listed, deleted or rated", async () => {
    const { key, model, evaluation } = await evaluated({ trait: "cheerful", ...SETTINGS });
    const probe = workerProbe(key);
    const valid = { ratings: [{ multiplier: 1, prompt_index: 0, score: 5 }] };
    await probe.bodies(`/v1/evaluations/${evaluation.id}/ratings`, valid, rateEvaluationSchema);
    probe.expectAllAnswered();

    const ids = workerProbe((await newAccount()).key);
    await ids.ids((id) => `/v1/evaluations/${id}`);
    await ids.ids((id) => `/v1/evaluations/${id}`, "DELETE");
    await ids.queries("/v1/evaluations", { limit: "5", offset: "0" });
    // Another account's evaluation is as unknown as a made-up one, whatever is asked of it.
    for (const method of ["GET", "DELETE"]) {
      const expectation = { name: "another account's", field: "id", expect: "refused" } as const;
      await ids.check(`/v1/evaluations/${evaluation.id}`, { method }, expectation);
    }
    ids.expectAllAnswered();
    await expectServing(key, model.id);
  });
});
