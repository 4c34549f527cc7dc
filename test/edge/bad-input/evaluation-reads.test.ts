// Bad input to an evaluation once made: read, listed, deleted, rated (probe.ts says what each answer
// must be). A file apart from creating them (evaluations.test.ts): workerd's harness slows with
// every call a file makes.
import { describe, it } from "vitest";
import { rateEvaluationSchema } from "../../../edge/src/api/evaluations.ts";
import { evaluated } from "../evaluation-support.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

const SETTINGS = { multipliers: [1], prompts: ["Hi"], max_tokens: 2, mmlu: { questions: 0 } };

describe("bad input: evaluations", { timeout: GROUP_TIMEOUT_MS }, () => {
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
