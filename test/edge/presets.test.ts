// The marketplace through the Worker: built-in presets listed, installed (the first install on the
// base model trains, the next is ready at once from the R2 cache), and users' ready models
// published and installed by other accounts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MarketplacePresetList } from "../../edge/src/api/presets.ts";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { BUILT_IN_PRESETS } from "../../edge/src/presets/catalog.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { evaluated } from "./evaluation-support.ts";
import { BASE_MODEL, plantedModel } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";
import { createModel, post, traitRows, waitForStatus } from "./training-support.ts";

async function presets(key: string) {
  return ((await (await call("/v1/presets", { key })).json()) as MarketplacePresetList).data;
}

async function install(key: string, name: string): Promise<SteerableModel> {
  const response = await post(`/v1/presets/${name}/install`, undefined, key);
  expect(response.status).toBe(201);
  return (await response.json()) as SteerableModel;
}

async function vectorHashes(modelId: string) {
  return Object.fromEntries(
    (await traitRows(modelId)).map((trait) => [trait.name, trait.vectorHash]),
  );
}

describe("built-in presets", () => {
  it("are listed with their traits, author and examples enough to train on", async () => {
    const { key } = await newAccount();
    const listed = await presets(key);
    const builtIn = listed.filter((preset) => preset.built_in);
    expect(builtIn.map((preset) => preset.name)).toEqual(
      expect.arrayContaining([
        "responsible",
        "coding-only",
        "concise",
        "cheerful",
        "formal",
        "honest",
      ]),
    );
    for (const preset of builtIn)
      expect(preset).toMatchObject({ object: "preset", author: "steer" });
    for (const preset of BUILT_IN_PRESETS) {
      for (const examples of Object.values(preset.traits)) {
        expect(examples.positive_examples.length).toBeGreaterThanOrEqual(8);
        expect(examples.negative_examples.length).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it("train on the first install, then install ready from the cache", async () => {
    const first = await newAccount();
    const trained = await install(first.key, "formal");
    expect(trained).toMatchObject({ status: "pending", preset: "formal", model: BASE_MODEL });
    expect(Object.keys(trained.control_dimensions)).toEqual(["formal"]);
    await waitForStatus(first.key, trained.id, "ready");
    const index = await env.VECTORS.get(`presets/${BASE_MODEL}/formal.json`);
    expect(await index?.json()).toEqual(await vectorHashes(trained.id));

    const second = await newAccount();
    const cached = await install(second.key, "formal");
    expect(cached).toMatchObject({ status: "ready", preset: "formal" });
    expect(await vectorHashes(cached.id)).toEqual(await vectorHashes(trained.id));
    const listed = (await presets(second.key)).find((preset) => preset.name === "formal");
    expect(listed?.base_models).toEqual([BASE_MODEL]);
  });

  it("install on the base model asked for, which a GPU node must serve", async () => {
    const { key } = await newAccount();
    // Cached for the base model by the test before: ready at once.
    const asked = await post("/v1/presets/formal/install", { base_model: BASE_MODEL }, key);
    expect(asked.status).toBe(201);
    expect(await asked.json()).toMatchObject({ model: BASE_MODEL, status: "ready" });

    const unserved = await post("/v1/presets/formal/install", { base_model: "llama-9000" }, key);
    expect(unserved.status).toBe(400);
    const { error } = (await unserved.json()) as ApiErrorBody;
    expect(error).toMatchObject({ code: "unknown_base_model", param: "base_model" });
    expect(error.message).toContain(BASE_MODEL);

    const garbled = await call("/v1/presets/formal/install", { key, method: "POST", body: "{" });
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as ApiErrorBody).error.code).toBe("invalid_json");
  });

  it("an unknown preset is 404", async () => {
    const { key } = await newAccount();
    const response = await post("/v1/presets/no-such-preset/install", undefined, key);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ApiErrorBody).error).toMatchObject({
      code: "preset_not_found",
      param: "name",
    });
  });
});

describe("published presets", () => {
  it("are listed under their author and install ready, with the author's vectors", async () => {
    const author = await newAccount();
    const { id, hash } = await plantedModel(author.accountId);
    const body = { model_id: id, name: "sunny", description: "Always sunny." };
    const published = await post("/v1/presets", body, author.key);
    expect(published.status).toBe(201);
    const expected = {
      object: "preset",
      name: "sunny",
      description: "Always sunny.",
      traits: ["cheerful"],
      base_models: [BASE_MODEL],
      author: "test account",
      built_in: false,
      quality: {},
    };
    expect(await published.json()).toEqual(expected);
    // The author may delete the model: the preset keeps its copy.
    await call(`/v1/steerable-models/${id}`, { key: author.key, method: "DELETE" });

    const user = await newAccount();
    expect(await presets(user.key)).toContainEqual(expected);
    const installed = await install(user.key, "sunny");
    expect(installed).toMatchObject({ status: "ready", preset: "sunny", model: BASE_MODEL });
    expect(await vectorHashes(installed.id)).toEqual({ cheerful: hash });
  });

  it("carry their traits' quality cards, as they were when published", async () => {
    const { key, model, evaluation } = await evaluated();
    const shown = (await (
      await call(`/v1/steerable-models/${model.id}`, { key })
    ).json()) as SteerableModel;
    expect(shown.quality.cheerful?.evaluation).toBe(evaluation.id);
    const body = { model_id: model.id, name: "evaluated", description: "Cheerful, measured." };
    const published = await post("/v1/presets", body, key);
    expect(published.status).toBe(201);
    expect(await published.json()).toMatchObject({ quality: shown.quality });
    const listed = (await presets((await newAccount()).key)).find((p) => p.name === "evaluated");
    expect(listed?.quality).toEqual(shown.quality);
  });

  it("install on the base model their vectors were made for, and no other", async () => {
    const author = await newAccount();
    const { id } = await plantedModel(author.accountId);
    const description = "Made on the test model.";
    await post("/v1/presets", { model_id: id, name: "pinned", description }, author.key);
    const user = await newAccount();
    const other = await post("/v1/presets/pinned/install", { base_model: "llama-9000" }, user.key);
    expect(other.status).toBe(400);
    expect(((await other.json()) as ApiErrorBody).error).toMatchObject({
      code: "base_model_mismatch",
      param: "base_model",
    });
    const own = await post("/v1/presets/pinned/install", { base_model: BASE_MODEL }, user.key);
    expect(own.status).toBe(201);
  });

  it("are taken off by their author only; models installed from them stay", async () => {
    const author = await newAccount();
    const { id } = await plantedModel(author.accountId);
    const description = "Short-lived.";
    await post("/v1/presets", { model_id: id, name: "brief", description }, author.key);
    const user = await newAccount();
    const installed = await install(user.key, "brief");
    const unpublish = (key: string, name: string) =>
      call(`/v1/presets/${name}`, { key, method: "DELETE" });
    expect((await unpublish(user.key, "brief")).status).toBe(404);
    expect((await unpublish(author.key, "cheerful")).status).toBe(404);
    const removed = await unpublish(author.key, "brief");
    expect(await removed.json()).toEqual({ name: "brief", object: "preset", deleted: true });
    expect((await presets(user.key)).map((p) => p.name)).not.toContain("brief");
    const still = await call(`/v1/steerable-models/${installed.id}`, { key: user.key });
    expect(still.status).toBe(200);
  });

  it("need a ready model of the caller's and a free name", async () => {
    const { accountId, key } = await newAccount();
    const ready = await plantedModel(accountId);
    const refusal = async (body: object, status: number) => {
      const response = await post("/v1/presets", body, key);
      expect(response.status).toBe(status);
      return ((await response.json()) as ApiErrorBody).error;
    };
    const description = "A preset.";
    expect((await refusal({ model_id: ready.id, name: "cheerful", description }, 409)).code).toBe(
      "preset_exists",
    );
    expect(
      await post("/v1/presets", { model_id: ready.id, name: "mine", description }, key),
    ).toHaveProperty("status", 201);
    expect((await refusal({ model_id: ready.id, name: "mine", description }, 409)).param).toBe(
      "name",
    );
    const training = await createModel(key);
    expect((await refusal({ model_id: training.id, name: "early", description }, 409)).code).toBe(
      "model_not_ready",
    );
    const other = await newAccount();
    const theirs = await plantedModel(other.accountId);
    expect((await refusal({ model_id: theirs.id, name: "theirs", description }, 404)).param).toBe(
      "model_id",
    );
    expect((await refusal({ model_id: ready.id, name: "Bad Name", description }, 400)).param).toBe(
      "name",
    );
  });
});
