// The product's original flow on the whole local stack, call for call as the original product's
// Python client (stevekfrey/steering-api's client/steer_api_client.py) and its quickstart make
// them: health_check, create_steerable_model (which accepts nothing but 202),
// wait_for_model_ready (polling .../status), list, get, generate_completion, delete. Then the
// recipe: the vector the edge trained is the one `steer extract --personas` makes of the same
// words. And the layers: measured, they are those the test model's band trait lives in.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SteeredCompletion } from "../../edge/src/api/completions.ts";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { dot } from "../../gpu-node/extraction/pca.ts";
import { CONCEPT_WORDS, readPlantedBand } from "../../gpu-node/test-model/index.ts";
import { parseControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { repoRoot, testModelPath } from "../support/engine.ts";
import { countWords } from "../support/planted.ts";
import { type Stack, startStack } from "./stack.ts";
import { CHEERFUL, meteredTokens, TRAIN_TIMEOUT_MS } from "./steerable.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** The client's requests: JSON bodies, the key as a bearer token. */
const post = (route: string, body: unknown) =>
  stack.call(route, { method: "POST", body: JSON.stringify(body) });

/** wait_for_model_ready: polls GET /steerable-model/{id}/status until ready, failing on failed. */
async function waitForModelReady(id: string): Promise<void> {
  const deadline = Date.now() + TRAIN_TIMEOUT_MS;
  for (;;) {
    const response = await stack.call(`/steerable-model/${id}/status`);
    expect(response.status).toBe(200);
    const { status, failure_reason } = (await response.json()) as SteerableModel;
    if (status === "ready") return;
    if (status === "failed") throw new Error(`model ${id} training failed: ${failure_reason}`);
    if (Date.now() > deadline) throw new Error(`still ${status} after the timeout`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe("the original client, call for call", () => {
  let id: string;

  it("health_check: GET / with the key answers 200 with its message", async () => {
    const response = await stack.call("/");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "success", message: expect.any(String) });
  });

  it("create_steerable_model, wait_for_model_ready, list, get", {
    timeout: TRAIN_TIMEOUT_MS + 30_000,
  }, async () => {
    // The quickstart's model: a free label, and the client's prompt_list=None.
    const response = await post("/steerable-model", {
      model_label: "testmodel",
      control_dimensions: CHEERFUL,
      prompt_list: null,
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const created = (await response.json()) as SteerableModel;
    expect(created).toMatchObject({
      object: "steerable_model",
      model: "steer-test",
      model_label: "testmodel",
      status: "pending",
    });
    id = created.id;
    await waitForModelReady(id);

    const page = await stack.call("/steerable-model?limit=20&offset=0");
    const listed = (await page.json()) as { data: SteerableModel[] };
    expect(listed.data.map((model) => model.id)).toContain(id);
    const got = await stack.call(`/steerable-model/${id}`);
    expect(await got.json()).toMatchObject({ id, status: "ready", model_label: "testmodel" });
  });

  it("generate_completion steers by control_settings, and is metered", async () => {
    const complete = async (control_settings: Record<string, number>) => {
      // The client's default settings.
      const body = { model: id, prompt: "Tell me about your day.", control_settings };
      const response = await post("/completions", {
        ...body,
        settings: { max_new_tokens: 12, repetition_penalty: 3 },
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as SteeredCompletion;
    };
    const before = await meteredTokens(stack, id);
    const happy = await complete({ cheerful: 1.5 });
    const gloomy = await complete({ cheerful: -1.5 });
    expect(happy).toMatchObject({ model_id: id, object: "text_completion", model: id });
    expect(countWords(happy.content, CONCEPT_WORDS.positive)).toBeGreaterThan(
      countWords(happy.content, CONCEPT_WORDS.negative),
    );
    expect(countWords(gloomy.content, CONCEPT_WORDS.negative)).toBeGreaterThan(
      countWords(gloomy.content, CONCEPT_WORDS.positive),
    );
    const after = await meteredTokens(stack, id, before.requests + 2);
    expect(after.prompt - before.prompt).toBe(
      happy.usage.prompt_tokens + gloomy.usage.prompt_tokens,
    );
    expect(after.completion - before.completion).toBe(
      happy.usage.completion_tokens + gloomy.usage.completion_tokens,
    );
    // The client's own default: settings {max_new_tokens: 186}, the rest the original's defaults.
    const defaults = await post("/completions", {
      model: id,
      prompt: "Hello",
      control_settings: {},
      settings: { max_new_tokens: 186 },
    });
    expect(defaults.status).toBe(200);
  });

  it("trains the vector `steer extract --personas` makes of the same words", {
    timeout: 120_000,
  }, async () => {
    const response = await stack.call(`/v1/steerable-models/${id}/vectors/cheerful`);
    expect(response.status).toBe(200);
    const edge = parseControlVector(new Uint8Array(await response.arrayBuffer()));
    const dir = await mkdtemp(path.join(tmpdir(), "steer-recipe-"));
    try {
      const file = (name: string) => path.join(dir, name);
      await writeFile(file("positive.txt"), CHEERFUL.cheerful.positive_examples.join("\n"));
      await writeFile(file("negative.txt"), CHEERFUL.cheerful.negative_examples.join("\n"));
      const args = ["extract", "--model", testModelPath, "--out", file("cli.gguf")];
      await promisify(execFile)(process.execPath, [
        path.join(repoRoot, "bin/steer.js"),
        ...args,
        "--personas",
        file("positive.txt"),
        file("negative.txt"),
      ]);
      const cli = parseControlVector(new Uint8Array(await readFile(file("cli.gguf"))));
      expect([...edge.directions.keys()]).toEqual([...cli.directions.keys()]);
      for (const [layer, direction] of cli.directions) {
        const cosine = dot(direction, edge.directions.get(layer) as Float32Array);
        expect(cosine, `layer ${layer}`).toBeGreaterThanOrEqual(0.995);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("delete_steerable_model", async () => {
    const deleted = await stack.call(`/steerable-model/${id}`, { method: "DELETE" });
    expect(await deleted.json()).toEqual({ id, object: "steerable_model", deleted: true });
    expect((await stack.call(`/steerable-model/${id}`)).status).toBe(404);
  });
});

describe("layers chosen by measurement", () => {
  it("steer a trait where it lives: the band trait's layer, said in the model's record", {
    timeout: TRAIN_TIMEOUT_MS + 30_000,
  }, async () => {
    const band = readPlantedBand((await readGgufFile(testModelPath)).metadata);
    const response = await post("/v1/steerable-models", {
      model_label: "calm",
      control_dimensions: {
        calm: {
          positive_examples: band.positiveWords.slice(0, 3),
          negative_examples: band.negativeWords.slice(0, 3),
        },
      },
      prompt_list: ["I think", "Today we", "Well,"],
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const { id } = (await response.json()) as SteerableModel;
    await waitForModelReady(id);
    const model = (await (await stack.call(`/v1/steerable-models/${id}`)).json()) as SteerableModel;
    expect(model.layers).toBeNull();
    expect(model.layer_choices.calm).toMatchObject({ by: "measurement", layers: band.layers });
    expect(model.layer_choices.calm?.reason).toContain("reads best on held-out pairs");
    const file = await stack.call(`/v1/steerable-models/${id}/vectors/calm`);
    const vector = parseControlVector(new Uint8Array(await file.arrayBuffer()));
    expect([...vector.directions.keys()]).toEqual(band.layers);
  });
});
