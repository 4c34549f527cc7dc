// Bad input to a trait's condition: calibrated, read, forgotten (probe.ts says what each answer must
// be). A calibration a change leaves valid runs on the GPU node, as a client's would.
import { describe, it } from "vitest";
import { calibrateConditionSchema } from "../../../edge/src/api/conditions.ts";
import { plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

const conditionOf = (model: string, trait: string) =>
  `/v1/steerable-models/${model}/traits/${trait}/condition`;

describe("bad input: trait conditions", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field when calibrated, read or forgotten", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const probe = workerProbe(key);
    const valid = {
      should_fire: ["Tell me about the sea.", "I sail a boat."],
      should_not_fire: ["Tell me about the garden.", "I bake bread."],
      multiplier: 1,
      layers: [1],
    };
    await probe.bodies(conditionOf(id, "cheerful"), valid, calibrateConditionSchema);
    probe.expectAllAnswered();

    // Ids and traits that name nothing, and another account's model, whatever is asked of them.
    const ids = workerProbe((await newAccount()).key);
    for (const method of ["GET", "DELETE"]) {
      await ids.ids((model) => conditionOf(model, "cheerful"), method);
      await ids.check(
        conditionOf(id, "cheerful"),
        { method },
        {
          name: "another account's",
          field: "id",
          expect: "refused",
        },
      );
    }
    ids.expectAllAnswered();
    const traits = workerProbe(key);
    for (const method of ["GET", "DELETE"]) {
      await traits.ids((trait) => conditionOf(id, trait), method, "trait");
    }
    traits.expectAllAnswered();
    await expectServing(key, id);
  });
});
