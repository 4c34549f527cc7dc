// A trait's condition through the Worker: calibrated on a real GPU node on the test model's planted
// topic (prompts with its words should fire, the same prompts without should not), stored with the
// trait and in its model's record, its direction in R2, read and forgotten, and metered as a usage
// row of kind calibration; a model not ready, a trait it lacks or what the node refuses are the
// caller's 4xx naming the field.
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import type { ApiTraitCondition } from "../../edge/src/api/conditions.ts";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import type { UsageList } from "../../edge/src/api/usage.ts";
import { traits } from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import { vectorKey } from "../../edge/src/nodes/vectors.ts";
import { parseControlVector } from "../../shared/control-vector.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import type { SteeringReport } from "../../shared/steering/conditions.ts";
import { topicExamples } from "../support/topic-examples.ts";
import { plantedModel } from "./steered-model.ts";
import { call, newAccount, usageRows } from "./support.ts";

function examples() {
  return topicExamples(inject("plantedTopic"));
}

const conditionPath = (model: string, trait = "cheerful") =>
  `/v1/steerable-models/${model}/traits/${trait}/condition`;

function calibrate(key: string, model: string, body: unknown, trait = "cheerful") {
  return call(conditionPath(model, trait), { method: "POST", key, body: JSON.stringify(body) });
}

async function errorOf(response: Response, status: number): Promise<ApiErrorBody["error"]> {
  expect(response.status, await response.clone().text()).toBe(status);
  return ((await response.json()) as ApiErrorBody).error;
}

describe("calibrating a trait's condition", () => {
  it("stores the condition that sorts the topic's prompts, its vector in R2, and meters it", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const response = await calibrate(key, id, { ...examples(), multiplier: 1.5 });
    expect(response.status, await response.clone().text()).toBe(200);
    const condition = (await response.json()) as ApiTraitCondition;
    expect(condition).toMatchObject({
      object: "trait.condition",
      trait: "cheerful",
      multiplier: 1.5,
      f1: 1,
      precision: 1,
      recall: 1,
      examples: { should_fire: 4, should_not_fire: 4 },
    });
    expect(condition.above).toEqual(expect.any(Number));
    expect(condition.below).toBeUndefined();
    expect(condition.layers.map((layer) => layer.layer)).toContain(condition.layer);
    expect(condition.calibrated_at).toBeCloseTo(Date.now() / 1000, -1);

    // Kept with the trait: its one-layer direction in R2, under its hash.
    const [row] = await database(env.DB)
      .select()
      .from(traits)
      .where(and(eq(traits.modelId, id), eq(traits.name, "cheerful")));
    const stored = row?.condition;
    expect(stored).toMatchObject({ layer: condition.layer, comparator: "above", multiplier: 1.5 });
    const file = await env.VECTORS.get(vectorKey(stored?.vectorHash ?? ""));
    const vector = parseControlVector(new Uint8Array(await (file as R2ObjectBody).arrayBuffer()));
    expect([...vector.directions.keys()]).toEqual([condition.layer]);

    // Read on its own, and in the model's record.
    const read = await call(conditionPath(id), { key });
    expect(await read.json()).toEqual(condition);
    const model = (await (
      await call(`/v1/steerable-models/${id}`, { key })
    ).json()) as SteerableModel;
    expect(model.conditions).toEqual({ cheerful: condition });

    // Metered: the examples' prompt tokens, kind calibration.
    const [usage] = await usageRows(accountId, 1);
    expect(usage).toMatchObject({ model: id, kind: "calibration", completionTokens: 0 });
    expect(usage?.promptTokens).toBeGreaterThan(8);
    const listed = (await (await call("/v1/usage", { key })).json()) as UsageList;
    expect(listed.data).toEqual([
      expect.objectContaining({ model: id, kind: "calibration", requests: 1 }),
    ]);
  });

  it("is what routing and `when: {trait}` read, at once: the topic's prompts turn the trait on, others do not", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const words = inject("plantedTopic");
    const onTopic = `Sing me a song about the ${words.at(-1)}.`;
    const offTopic = "Sing me a song about the moon.";
    const routed = { route: ["cheerful"] };
    const chat = (content: string, steering: object) => {
      const messages = [{ role: "user", content }];
      const body = JSON.stringify({ model: id, messages, max_tokens: 2, steering });
      return call("/v1/chat/completions", { method: "POST", key, body });
    };
    const report = async (content: string, steering: object) => {
      const answer = await chat(content, steering);
      expect(answer.status, await answer.clone().text()).toBe(200);
      return ((await answer.json()) as { steering_report: SteeringReport }).steering_report;
    };
    // Uncalibrated, a route cannot use the trait; the model's ready record is now cached.
    expect((await errorOf(await chat(onTopic, routed), 400)).param).toBe("steering.route[0]");

    const response = await calibrate(key, id, { ...examples(), multiplier: 1.5 });
    const condition = (await response.json()) as ApiTraitCondition;
    const read = { trait: "cheerful", layer: condition.layer, above: condition.above };
    expect(await report(onTopic, routed)).toMatchObject({
      cheerful: { multiplier: 1.5, condition: { ...read, fired: true } },
    });
    expect(await report(offTopic, routed)).toMatchObject({
      cheerful: { multiplier: 0, condition: { ...read, fired: false } },
    });
    const when = { cheerful: { multiplier: 1, when: { trait: "cheerful" } } };
    expect(await report(onTopic, when)).toMatchObject({
      cheerful: { multiplier: 1, condition: { ...read, fired: true } },
    });

    // Forgotten, at once too.
    await call(conditionPath(id), { method: "DELETE", key });
    expect((await errorOf(await chat(onTopic, routed), 400)).param).toBe("steering.route[0]");
  });

  it("routes at multiplier 1 unless told, reads the layers asked for, and is replaced by a new calibration", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const first = (await (await calibrate(key, id, examples())).json()) as ApiTraitCondition;
    expect(first.multiplier).toBe(1);
    const response = await calibrate(key, id, { ...examples(), layers: [2] });
    const second = (await response.json()) as ApiTraitCondition;
    expect(second).toMatchObject({ layer: 2, f1: 1 });
    expect(second.layers.map((layer) => layer.layer)).toEqual([2]);
    const read = (await (await call(conditionPath(id), { key })).json()) as ApiTraitCondition;
    expect(read).toEqual(second);
  });

  it("is forgotten by DELETE: gone from the trait and the model's record", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    expect((await calibrate(key, id, examples())).status).toBe(200);
    const deleted = await call(conditionPath(id), { method: "DELETE", key });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({
      object: "trait.condition",
      trait: "cheerful",
      deleted: true,
    });
    const read = await errorOf(await call(conditionPath(id), { key }), 404);
    expect(read).toMatchObject({ code: "condition_not_found", param: "trait" });
    const again = await call(conditionPath(id), { method: "DELETE", key });
    expect((await errorOf(again, 404)).code).toBe("condition_not_found");
    const model = (await (
      await call(`/v1/steerable-models/${id}`, { key })
    ).json()) as SteerableModel;
    expect(model.conditions).toEqual({});
  });
});

describe("a calibration that cannot be made", () => {
  it("is a 409 while the model is not ready", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId, "training");
    const error = await errorOf(await calibrate(key, id, examples()), 409);
    expect(error).toMatchObject({ code: "model_not_ready", param: "id" });
  });

  it("is a 404 for a trait the model lacks, or another account's model", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const trait = await errorOf(await calibrate(key, id, examples(), "gloomy"), 404);
    expect(trait).toMatchObject({ code: "trait_not_found", param: "trait" });
    const other = await newAccount();
    const foreign = await errorOf(await calibrate(other.key, id, examples()), 404);
    expect(foreign).toMatchObject({ code: "model_not_found", param: "id" });
    const read = await errorOf(await call(conditionPath(id), { key: other.key }), 404);
    expect(read.code).toBe("model_not_found");
  });

  it("is the node's 400 naming the caller's field: an example past the context, a layer out of range", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const long = examples();
    long.should_not_fire[1] = " a".repeat(999);
    const tooLong = await errorOf(await calibrate(key, id, long), 400);
    expect(tooLong).toMatchObject({
      code: "context_length_exceeded",
      param: "should_not_fire[1]",
    });
    const layer = await errorOf(await calibrate(key, id, { ...examples(), layers: [40] }), 400);
    expect(layer).toMatchObject({ code: "layer_out_of_range", param: "layers" });
    // Nothing was stored.
    expect((await errorOf(await call(conditionPath(id), { key }), 404)).code).toBe(
      "condition_not_found",
    );
  });
});
