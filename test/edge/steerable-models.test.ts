// The original steerable-model endpoints through the Worker, trained on the real GPU node: create
// answers at once, the status moves to ready as the extraction finishes, and list, get and delete
// keep to the caller's account.
import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../shared/api/errors.ts";
import type { ExtractionJob } from "../../shared/api/extractions.ts";
import type { SteerableModel, SteerableModelList } from "../../shared/api/steerable-models.ts";
import { BASE_MODEL, nodeFetch } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";
import {
  createModel,
  post,
  QUICK_MODEL,
  SLOW_MODEL,
  trainingTrait,
  waitForStatus,
} from "./training-support.ts";

describe("the original flow", () => {
  it("creates a model at once, trains it to ready, reads, lists and deletes it", async () => {
    const { key } = await newAccount();
    const response = await post("/steerable-model", QUICK_MODEL, key);
    expect(response.status).toBe(201);
    const created = (await response.json()) as SteerableModel;
    expect(created).toMatchObject({
      object: "steerable_model",
      model: BASE_MODEL,
      control_dimensions: QUICK_MODEL.control_dimensions,
      status: "pending",
    });
    expect(created.created_at).toBeCloseTo(Date.now() / 1000, -1);

    const ready = await waitForStatus(key, created.id, "ready");
    expect(ready).toMatchObject({ id: created.id, failure_reason: null });
    const got = await call(`/steerable-model/${created.id}`, { key });
    expect(await got.json()).toEqual(ready);

    const deleted = await call(`/steerable-model/${created.id}`, { key, method: "DELETE" });
    expect(await deleted.json()).toEqual({
      id: created.id,
      object: "steerable_model",
      deleted: true,
    });
    expect((await call(`/steerable-model/${created.id}`, { key })).status).toBe(404);
  });

  it("lists the caller's models newest first, a page at a time", async () => {
    const { key } = await newAccount();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createModel(key)).id);
    const newestFirst = ids.toReversed();
    const page = async (path: string) =>
      (await (await call(path, { key })).json()) as Partial<SteerableModelList>;

    const original = await page("/steerable-model");
    expect(original).toEqual({ data: expect.any(Array) });
    expect(original.data?.map((model) => model.id)).toEqual(newestFirst);
    const v1 = await page("/v1/steerable-models?limit=1&offset=1");
    expect(v1.object).toBe("list");
    expect(v1.data?.map((model) => model.id)).toEqual([newestFirst[1]]);
    expect((await page("/v1/steerable-models?offset=3")).data).toEqual([]);

    const { key: otherKey } = await newAccount();
    expect(await (await call("/steerable-model", { key: otherKey })).json()).toEqual({
      data: [],
    });
  });

  it("deleting a training model cancels its job on the node", async () => {
    const { key } = await newAccount();
    const { id } = await createModel(key, SLOW_MODEL);
    const { jobId } = await trainingTrait(id);
    expect((await call(`/v1/steerable-models/${id}`, { key, method: "DELETE" })).status).toBe(200);
    await expect
      .poll(async () => {
        const job = (await (await nodeFetch(`/v1/extractions/${jobId}`)).json()) as ExtractionJob;
        return job.status;
      })
      .toBe("cancelled");
  });

  it("replays a create with the same Idempotency-Key", async () => {
    const { key } = await newAccount();
    const headers = { "Idempotency-Key": "create-once" };
    const first = await post("/v1/steerable-models", QUICK_MODEL, key, headers);
    const second = await post("/v1/steerable-models", QUICK_MODEL, key, headers);
    expect(((await second.json()) as SteerableModel).id).toBe(
      ((await first.json()) as SteerableModel).id,
    );
  });
});

describe("another account's model", () => {
  it("is not found, to read or to delete", async () => {
    const owner = await newAccount();
    const { id } = await createModel(owner.key);
    const { key } = await newAccount();
    for (const method of ["GET", "DELETE"]) {
      const response = await call(`/v1/steerable-models/${id}`, { key, method });
      expect(response.status).toBe(404);
      expect(((await response.json()) as ApiErrorBody).error).toMatchObject({
        code: "model_not_found",
        param: "id",
      });
    }
    expect((await call(`/v1/steerable-models/${id}`, { key: owner.key })).status).toBe(200);
  });
});

describe("validation", () => {
  async function refused(body: unknown, param: string) {
    const { key } = await newAccount();
    const response = await post("/v1/steerable-models", body, key);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ApiErrorBody;
    expect(error.param).toBe(param);
    return error;
  }

  it("names a base model no node serves, and lists those served", async () => {
    const error = await refused({ ...QUICK_MODEL, model_label: "gpt-17" }, "model_label");
    expect(error.message).toContain(BASE_MODEL);
  });

  it("names the field at fault", async () => {
    await refused({ control_dimensions: QUICK_MODEL.control_dimensions }, "model_label");
    await refused({ ...QUICK_MODEL, control_dimensions: {} }, "control_dimensions");
    const noNegatives = { cheerful: { positive_examples: ["yay"] } };
    await refused(
      { ...QUICK_MODEL, control_dimensions: noNegatives },
      "control_dimensions.cheerful.negative_examples",
    );
    await refused({ ...QUICK_MODEL, prompt_list: [] }, "prompt_list");
  });

  it("checks the list's query", async () => {
    const { key } = await newAccount();
    const response = await call("/v1/steerable-models?limit=0", { key });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ApiErrorBody).error.param).toBe("limit");
  });
});
