// The original steerable-model endpoints through the Worker, trained on the real GPU node, as the
// original's client uses them: GET / checks the key, create answers 202 at once (model_label is the
// customer's own label), the status (GET .../status) moves to ready as the extraction finishes, and
// list, get and delete keep to the caller's account; a model no node would train is refused before
// anything is stored.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { askNodes } from "../../edge/src/nodes/base-models.ts";
import { NodePool } from "../../edge/src/nodes/pool.ts";
import { checkTraining } from "../../edge/src/training/extraction-request.ts";
import { MAX_EXTRACTION_PAIRS, MAX_JSON_BODY_BYTES } from "../../shared/limits.ts";
import type { ExtractionJob } from "../../shared/node-api/extractions.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
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
  it("answers the client's health check with the key, and 401 without it", async () => {
    const { key } = await newAccount();
    const response = await call("/", { key });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "success",
      message: "Hello from Steer API",
      docs: "/docs",
      openapi: "/openapi.json",
      playground: "/playground",
    });
    expect((await call("/")).status).toBe(401);
  });

  it("creates a model at once (202), trains it to ready, reads, lists and deletes it", async () => {
    const { key } = await newAccount();
    const response = await post("/steerable-model", QUICK_MODEL, key);
    expect(response.status).toBe(202);
    const created = (await response.json()) as SteerableModel;
    expect(response.headers.get("location")).toBe(`/steerable-model/${created.id}`);
    expect(created).toMatchObject({
      object: "steerable_model",
      // The base model defaults to the first the nodes serve; the label is the customer's own.
      model: BASE_MODEL,
      model_label: "quick test",
      control_dimensions: QUICK_MODEL.control_dimensions,
      prompt_list: QUICK_MODEL.prompt_list,
      template: null,
      layers: null,
      layer_choices: {},
      status: "pending",
    });
    expect(created.created_at).toBeCloseTo(Date.now() / 1000, -1);

    // What the original client's wait_for_model_ready polls.
    const status = await call(`/steerable-model/${created.id}/status`, { key });
    expect(await status.json()).toMatchObject({ id: created.id, status: expect.any(String) });
    const ready = await waitForStatus(key, created.id, "ready");
    expect(await (await call(`/steerable-model/${created.id}/status`, { key })).json()).toEqual({
      id: created.id,
      status: "ready",
      failure_reason: null,
    });
    expect(ready).toMatchObject({ id: created.id, failure_reason: null });
    // Its layers were chosen by measurement: the record says which and why.
    expect(ready.layer_choices.cheerful?.by).toBe("measurement");
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
      (await (await call(path, { key })).json()) as Partial<{
        object: "list";
        data: SteerableModel[];
      }>;

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

  it("takes the original's tests' list form of a trait, and the base model and template asked for", async () => {
    const { key } = await newAccount();
    const response = await post(
      "/v1/steerable-models",
      {
        model_label: "testmodel",
        model: BASE_MODEL,
        control_dimensions: {
          cheerful: [
            ["happy", "glad"],
            ["sad", "upset"],
          ],
        },
        prompt_list: ["I can see"],
        template: "Act like a {persona} person.",
      },
      key,
    );
    expect(response.status).toBe(202);
    const created = (await response.json()) as SteerableModel;
    expect(response.headers.get("location")).toBe(`/v1/steerable-models/${created.id}`);
    expect(created).toMatchObject({
      model: BASE_MODEL,
      model_label: "testmodel",
      control_dimensions: {
        cheerful: { positive_examples: ["happy", "glad"], negative_examples: ["sad", "upset"] },
      },
      template: "Act like a {persona} person.",
    });
    await waitForStatus(key, created.id, "ready");
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
    const error = await refused({ ...QUICK_MODEL, model: "gpt-17" }, "model");
    expect(error.code).toBe("unknown_base_model");
    expect(error.message).toContain(BASE_MODEL);
  });

  it("takes any label, and names the field at fault", async () => {
    const { key } = await newAccount();
    const labelled = await post(
      "/v1/steerable-models",
      { ...QUICK_MODEL, model_label: "gpt-17 ✨" },
      key,
    );
    expect(labelled.status).toBe(202);
    await refused({ control_dimensions: QUICK_MODEL.control_dimensions }, "model_label");
    await refused({ ...QUICK_MODEL, model_label: "" }, "model_label");
    await refused({ ...QUICK_MODEL, control_dimensions: {} }, "control_dimensions");
    const noNegatives = { cheerful: { positive_examples: ["yay"] } };
    await refused(
      { ...QUICK_MODEL, control_dimensions: noNegatives },
      "control_dimensions.cheerful.negative_examples",
    );
    await refused({ ...QUICK_MODEL, prompt_list: [] }, "prompt_list");
    await refused({ ...QUICK_MODEL, prompt_list: [" "] }, "prompt_list[0]");
    await refused({ ...QUICK_MODEL, template: "Be nice." }, "template");
    const badName = { "happy days": QUICK_MODEL.control_dimensions.cheerful };
    const named = await refused(
      { ...QUICK_MODEL, control_dimensions: badName },
      "control_dimensions.happy days",
    );
    expect(named.message).toContain("a trait name is a letter");
    const proto = JSON.parse(
      `{"__proto__": ${JSON.stringify(QUICK_MODEL.control_dimensions.cheerful)}}`,
    );
    const hidden = await refused(
      { ...QUICK_MODEL, control_dimensions: { ...QUICK_MODEL.control_dimensions, ...proto } },
      "control_dimensions.__proto__",
    );
    expect(hidden.message).toContain("a trait name is a letter");
    const unknown = await refused({ ...QUICK_MODEL, suffix_list: ["I"] }, "suffix_list");
    expect(unknown.code).toBe("unknown_field");
  });

  it("refuses examples that do not come in pairs, naming both counts, in either form", async () => {
    const unequal = {
      happy: { positive_examples: ["happy", "glad", "joyful"], negative_examples: ["sad"] },
    };
    const error = await refused(
      { ...QUICK_MODEL, control_dimensions: unequal },
      "control_dimensions.happy.negative_examples",
    );
    expect(error.message).toContain("3 positive but 1 negative");
    const asList = { happy: [["happy"], ["sad", "upset"]] };
    const listed = await refused(
      { ...QUICK_MODEL, control_dimensions: asList },
      "control_dimensions.happy.negative_examples",
    );
    expect(listed.message).toContain("1 positive but 2 negative");
  });

  it("checks the list's query", async () => {
    const { key } = await newAccount();
    const response = await call("/v1/steerable-models?limit=0", { key });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ApiErrorBody).error.param).toBe("limit");
  });
});

describe("a model no GPU node would train", () => {
  /** Refused with 400 naming `param`, and nothing stored: the caller's list stays empty. */
  async function refused(body: object, param: string) {
    const { key } = await newAccount();
    const response = await post("/v1/steerable-models", { ...QUICK_MODEL, ...body }, key);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ApiErrorBody;
    expect(error.param).toBe(param);
    expect(await (await call("/v1/steerable-models", { key })).json()).toEqual({
      object: "list",
      data: [],
    });
    return error;
  }

  it("is refused when its prompt_list makes too many pairs", async () => {
    const personas = (word: string) => Array.from({ length: 256 }, (_, i) => `${word} ${i}`);
    const error = await refused(
      {
        control_dimensions: {
          cheerful: { positive_examples: personas("glad"), negative_examples: personas("sad") },
        },
        // 100 openers of two tokens or more: over 100 prefixes, x 256 persona pairs.
        prompt_list: Array.from({ length: 100 }, (_, i) => `Thing ${i} is`),
      },
      "prompt_list",
    );
    expect(error.message).toContain(`more than the limit of ${MAX_EXTRACTION_PAIRS} pairs`);
  });

  it("is refused before it is read when its body is larger than a node reads", async () => {
    // 512 examples of 2000 two-byte characters: about 2 MB of JSON. A trait's extraction request
    // holds less than its model's body: bounding the body bounds what a node is sent.
    const examples = Array(256).fill("é".repeat(2000));
    const { key } = await newAccount();
    const dimensions = { big: { positive_examples: examples, negative_examples: examples } };
    const body = { ...QUICK_MODEL, control_dimensions: dimensions };
    const response = await post("/v1/steerable-models", body, key);
    expect(response.status).toBe(413);
    const { error } = (await response.json()) as ApiErrorBody;
    expect(error).toMatchObject({ param: "body", code: "body_too_large" });
    expect(error.message).toContain(String(MAX_JSON_BODY_BYTES));
    expect(await (await call("/v1/steerable-models", { key })).json()).toEqual({
      object: "list",
      data: [],
    });
  });

  it("is refused, naming the example, when one is past the base model's context", async () => {
    const error = await refused(
      {
        control_dimensions: {
          cheerful: {
            positive_examples: ["happy", "a.".repeat(1000)],
            negative_examples: ["sad", "upset"],
          },
        },
      },
      "control_dimensions.cheerful.positive_examples[1]",
    );
    expect(error.code).toBe("context_length_exceeded");
  });

  it("cannot be checked when no node can be reached: the answer of no node to list models", async () => {
    const pool = NodePool.fromEnv({
      ...env,
      GPU_NODES: "http://127.0.0.1:1" as typeof env.GPU_NODES,
    });
    const training = { baseModel: BASE_MODEL, dimensions: QUICK_MODEL.control_dimensions };
    const unchecked = await checkTraining(pool, training, () => () => "unused").catch((e) => e);
    const unlisted = await askNodes(pool).catch((e) => e);
    expect(unchecked).toMatchObject({ status: 503, code: "no_gpu_node" });
    expect(unchecked).toEqual(unlisted);
  });
});
