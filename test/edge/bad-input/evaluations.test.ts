// Bad input to creating an evaluation: its settings, then its MMLU part and margins, each group as
// its own account, as an account may send 600 requests a minute (probe.ts says what each answer
// must be). Reading, listing, deleting and rating are evaluation-reads.test.ts's.
import { describe, it } from "vitest";
import { createEvaluationSchema } from "../../../edge/src/api/evaluations.ts";
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

describe("bad input: creating evaluations", { timeout: GROUP_TIMEOUT_MS }, () => {
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
});
