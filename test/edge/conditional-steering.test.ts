// Conditional steering and routing through the Worker with the real GPU node, on a model trained
// here with two traits: cheerful (the test model's planted trait) and topic (personas of the test
// model's sea words against ones without). A term conditioned on the topic steers a prompt about
// the sea and leaves one about the city as unsteered, and says so (steering_report) in the JSON
// answer, in the stream's finishing chunk, in /completions' answer and in the usage row; a route
// turns a trait on by its calibrated condition; what cannot be resolved is a 400 naming the field.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { steerableModels, traits } from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import { newId } from "../../edge/src/lib/ids.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/concept.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import type { SteeringReport } from "../../shared/steering/conditions.ts";
import {
  addCalibratedTopic,
  cheerfulWords,
  nodeFetch,
  plantedModel,
  setCondition,
} from "./steered-model.ts";
import { call, newAccount, streamedChunks, usageRows } from "./support.ts";
import { createModel, traitRows, waitForStatus } from "./training-support.ts";

const MULTIPLIER = 1.5;

function topicWords(): string[] {
  return inject("plantedTopic");
}

/** A prompt about the sea (the topic's words), and one about the city (none of them). */
const seaPrompt = () => `Tell me about the ${topicWords()[0]} and the ${topicWords()[1]}.`;
const CITY_PROMPT = "Tell me about the city and its streets.";

/** cheerful, and topic: personas of the sea's words against ones of the town's. */
function topicModel() {
  return {
    model_label: "sea and city",
    control_dimensions: {
      cheerful: {
        positive_examples: CONCEPT_WORDS.positive.slice(0, 4),
        negative_examples: CONCEPT_WORDS.negative.slice(0, 4),
      },
      topic: {
        positive_examples: topicWords().slice(0, 4),
        negative_examples: ["city", "street", "office", "market"],
      },
    },
    prompt_list: ["I think", "Today we", "Well,"],
  };
}

interface Answer {
  content: string;
  steering_report?: SteeringReport;
}

function chat(key: string, body: object): Promise<Response> {
  return call("/v1/chat/completions", { method: "POST", key, body: JSON.stringify(body) });
}

/** The whole answer to `prompt` on `model`, steered by `steering` (none: unsteered). */
async function answer(key: string, model: string, prompt: string, steering?: object) {
  const body = { model, messages: [{ role: "user", content: prompt }], max_tokens: 8, steering };
  const response = await chat(key, body);
  expect(response.status, await response.clone().text()).toBe(200);
  const completion = (await response.json()) as {
    choices: { message: { content: string } }[];
    steering_report?: SteeringReport;
  };
  const { steering_report } = completion;
  return { content: completion.choices[0]?.message.content ?? "", steering_report } as Answer;
}

/** The same, streamed: its text and the chunk that carried the finish_reason. */
async function streamed(key: string, model: string, prompt: string, steering: object) {
  const messages = [{ role: "user", content: prompt }];
  const response = await chat(key, { model, messages, max_tokens: 8, steering, stream: true });
  expect(response.status).toBe(200);
  const chunks = await streamedChunks(response);
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  const finishing = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
  expect(finishing).toHaveLength(1);
  // Only the finishing chunk carries the report.
  expect(chunks.filter((chunk) => "steering_report" in chunk)).toEqual(finishing);
  return { text, finishing: finishing[0] };
}

async function expectRefused(response: Response, param: string, code?: string) {
  const text = await response.clone().text();
  expect(response.status, text).toBe(400);
  const { error } = (await response.json()) as ApiErrorBody;
  expect(error.param, text).toBe(param);
  if (code) expect(error.code).toBe(code);
  return error;
}

describe("conditional steering on a trained model", () => {
  let account: Awaited<ReturnType<typeof newAccount>>;
  let model: string;
  let hashes: Map<string, string>;

  beforeAll(async () => {
    account = await newAccount();
    const created = await createModel(account.key, topicModel());
    await waitForStatus(account.key, created.id, "ready");
    model = created.id;
    const rows = await traitRows(model);
    hashes = new Map(rows.map((row) => [row.name, row.vectorHash ?? ""]));
  }, 60_000);

  /** cheerful, applied when the topic's cosine is above `threshold`. */
  const onTopic = (above: number) => ({
    cheerful: { multiplier: MULTIPLIER, when: { trait: "topic", above } },
  });

  it("steers a prompt about the sea and not one about the city, and reports it everywhere", async () => {
    const { key, accountId } = account;
    const plain = {
      sea: await answer(key, model, seaPrompt()),
      city: await answer(key, model, CITY_PROMPT),
    };
    // Unsteered, an answer has no report.
    expect(plain.sea.steering_report).toBeUndefined();
    const steered = await answer(key, model, seaPrompt(), { cheerful: MULTIPLIER });
    expect(steered.steering_report).toEqual({ cheerful: { multiplier: MULTIPLIER } });
    expect(cheerfulWords(steered.content)).toBeGreaterThan(cheerfulWords(plain.sea.content));

    // A cosine is never above 1: the condition never fires, and says what it measured.
    const never = {
      sea: await answer(key, model, seaPrompt(), onTopic(1)),
      city: await answer(key, model, CITY_PROMPT, onTopic(1)),
    };
    expect(never.sea.content).toBe(plain.sea.content);
    expect(never.city.content).toBe(plain.city.content);
    const measured = (report?: SteeringReport) => report?.cheerful?.condition?.projection ?? NaN;
    const sea = measured(never.sea.steering_report);
    const city = measured(never.city.steering_report);
    expect(sea).toBeGreaterThan(city);
    expect(never.sea.steering_report).toEqual({
      cheerful: {
        multiplier: 0,
        condition: {
          trait: "topic",
          layer: expect.any(Number),
          above: 1,
          projection: sea,
          fired: false,
          fired_at_token: null,
        },
      },
    });

    // Between the two: it fires on the sea alone.
    const threshold = (sea + city) / 2;
    const conditional = {
      sea: await answer(key, model, seaPrompt(), onTopic(threshold)),
      city: await answer(key, model, CITY_PROMPT, onTopic(threshold)),
    };
    expect(conditional.city.content).toBe(plain.city.content);
    expect(conditional.sea.content).not.toBe(plain.sea.content);
    expect(cheerfulWords(conditional.sea.content)).toBeGreaterThan(
      cheerfulWords(plain.sea.content),
    );
    expect(conditional.sea.steering_report).toMatchObject({
      cheerful: {
        multiplier: MULTIPLIER,
        condition: {
          trait: "topic",
          above: threshold,
          projection: sea,
          fired: true,
          fired_at_token: 0,
        },
      },
    });
    expect(conditional.city.steering_report).toMatchObject({
      cheerful: { multiplier: 0, condition: { trait: "topic", projection: city, fired: false } },
    });

    // Streamed: the same text, and the same report in the chunk with the finish_reason.
    const stream = await streamed(key, model, seaPrompt(), onTopic(threshold));
    expect(stream.text).toBe(conditional.sea.content);
    expect(stream.finishing?.steering_report).toEqual(conditional.sea.steering_report);

    // The usage rows: each steered request's report, null for the unsteered ones.
    const rows = await usageRows(accountId, 8);
    const sorted = (reports: unknown[]) => reports.map((report) => JSON.stringify(report)).sort();
    expect(sorted(rows.map((row) => row.steeringReport))).toEqual(
      sorted([
        null,
        null,
        steered.steering_report,
        never.sea.steering_report,
        never.city.steering_report,
        conditional.sea.steering_report,
        conditional.city.steering_report,
        conditional.sea.steering_report,
      ]),
    );
  });

  it("reports in the original /completions answer too, conditional or plain", async () => {
    const complete = async (control_settings: object) => {
      const body = {
        model,
        prompt: CITY_PROMPT,
        control_settings,
        settings: { max_new_tokens: 4 },
      };
      const response = await call("/completions", {
        method: "POST",
        key: account.key,
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as { content: string; steering_report?: SteeringReport };
    };
    const conditional = await complete(onTopic(1));
    expect(conditional.steering_report).toMatchObject({
      cheerful: { multiplier: 0, condition: { trait: "topic", above: 1, fired: false } },
    });
    expect((await complete({ cheerful: 0.5 })).steering_report).toEqual({
      cheerful: { multiplier: 0.5 },
    });
    expect(await complete({})).not.toHaveProperty("steering_report");
  });

  it("routes: a listed trait is turned on by its calibrated condition, whose vector the node is sent", async () => {
    const { key, accountId } = account;
    // Where the topic reads, and a threshold between the two prompts.
    const read = async (prompt: string) =>
      (await answer(key, model, prompt, onTopic(1))).steering_report?.cheerful?.condition;
    const sea = await read(seaPrompt());
    const city = await read(CITY_PROMPT);
    if (sea?.projection == null || city?.projection == null) throw new Error("nothing measured");
    const threshold = (sea.projection + city.projection) / 2;
    // A model whose cheerful is calibrated to fire on the topic (as calibration stores it), on the
    // trained model's vectors; the node has lost the topic's.
    const topicHash = hashes.get("topic") ?? "";
    const routed = await copyOf(accountId, hashes);
    await setCondition(routed, "cheerful", {
      vectorHash: topicHash,
      layer: sea.layer,
      comparator: "above",
      threshold,
      multiplier: MULTIPLIER,
    });
    expect([200, 404]).toContain(
      (await nodeFetch(`/v1/vectors/${topicHash}`, { method: "DELETE" })).status,
    );

    const route = { route: ["cheerful"] };
    const onSea = await answer(key, routed, seaPrompt(), route);
    const onCity = await answer(key, routed, CITY_PROMPT, route);
    const conditional = await answer(key, model, seaPrompt(), onTopic(threshold));
    expect(onSea.content).toBe(conditional.content);
    expect(onCity.content).toBe((await answer(key, model, CITY_PROMPT)).content);
    expect(onSea.steering_report).toEqual({
      cheerful: {
        multiplier: MULTIPLIER,
        condition: {
          trait: "cheerful",
          layer: sea.layer,
          above: threshold,
          projection: sea.projection,
          fired: true,
          fired_at_token: 0,
        },
      },
    });
    expect(onCity.steering_report).toMatchObject({
      cheerful: { multiplier: 0, condition: { trait: "cheerful", fired: false } },
    });
    // The route names a trait of another model as "<model id>/<trait>" too, and so it reports.
    const named = `${routed}/cheerful`;
    const elsewhere = await answer(key, model, seaPrompt(), { route: [named] });
    expect(elsewhere.content).toBe(onSea.content);
    const reported = onSea.steering_report?.cheerful;
    expect(elsewhere.steering_report).toEqual({
      [named]: { ...reported, condition: { ...reported?.condition, trait: named } },
    });
  });
});

/** A ready model of `accountId` with the same traits (their vectors), nothing calibrated. */
async function copyOf(accountId: string, hashes: Map<string, string>): Promise<string> {
  const id = newId("sm");
  const db = database(env.DB);
  await db.insert(steerableModels).values({
    id,
    accountId,
    label: "copy",
    baseModel: "steer-test",
    status: "ready",
    updatedAt: Date.now(),
  });
  for (const [name, vectorHash] of hashes) {
    await db.insert(traits).values({
      modelId: id,
      name,
      positiveExamples: ["a"],
      negativeExamples: ["b"],
      status: "ready",
      vectorHash,
    });
  }
  return id;
}

describe("conditional steering that cannot be resolved", () => {
  it("is a 400 naming the field", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    await addCalibratedTopic(id);
    const messages = [{ role: "user", content: "Hi" }];
    const refused = (steering: object) =>
      chat(key, { model: id, messages, max_tokens: 2, steering });

    // A route's trait must be calibrated, and the refusal says how.
    const uncalibrated = await expectRefused(
      await refused({ route: ["topic", "cheerful"] }),
      "steering.route[1]",
      "trait_not_calibrated",
    );
    expect(uncalibrated.message).toContain(
      `POST /v1/steerable-models/${id}/traits/cheerful/condition`,
    );
    // A condition on an uncalibrated trait needs its threshold.
    const noThreshold = await expectRefused(
      await refused({ topic: { multiplier: 1, when: { trait: "cheerful" } } }),
      "steering.topic.when",
    );
    expect(noThreshold.message).toContain("above or below");
    // A calibrated condition reads its own layer only.
    await expectRefused(
      await refused({ cheerful: { multiplier: 1, when: { trait: "topic", layer: 3 } } }),
      "steering.cheerful.when.layer",
    );
    // What the node refuses (a layer the model lacks) names the request's field, not a vector id.
    await expectRefused(
      await refused({
        cheerful: { multiplier: 1, when: { trait: "cheerful", above: 0, layer: 99 } },
      }),
      "steering.cheerful.when.layer",
    );
    // A conditional term shares its vector with no other: the later one is named.
    const conditional = { multiplier: 1, when: { trait: "topic", above: 0.2 } };
    await expectRefused(
      await refused({ cheerful: conditional, [`${id}/cheerful`]: 1 }),
      `steering.${id}/cheerful`,
      "conflicting_steering",
    );
    await expectRefused(
      await refused({ topic: conditional, route: ["topic"] }),
      "steering.route[0]",
      "conflicting_steering",
    );
    await expectRefused(await refused({ route: ["topic", "topic"] }), "steering.route[1]");
    // The request's own shape.
    await expectRefused(await refused({ cheerful: ["topic"] }), "steering.cheerful");
    await expectRefused(
      await refused({
        cheerful: { multiplier: 1, when: { trait: "topic", above: 0.1, below: 0.2 } },
      }),
      "steering.cheerful.when.below",
    );
    await expectRefused(
      await refused({ cheerful: { multiplier: 1, when: { trait: "topic", above: 2 } } }),
      "steering.cheerful.when.above",
    );
    await expectRefused(await refused({ route: ["topic", "no such/trait"] }), "steering.route[1]");
    await expectRefused(
      await refused({ cheerful: { multiplier: 1, when: { trait: "gloomy", above: 0 } } }),
      "steering.cheerful.when.trait",
      "unknown_trait",
    );
    // /completions names its own field.
    const original = await call("/completions", {
      method: "POST",
      key,
      body: JSON.stringify({ model: id, prompt: "Hi", control_settings: { route: ["cheerful"] } }),
    });
    await expectRefused(original, "control_settings.route[0]", "trait_not_calibrated");
    // Plain terms on one vector still add up, as before.
    const plain = await refused({ cheerful: 0.5, [`${id}/cheerful`]: 0.5 });
    expect(plain.status).toBe(200);
    const { steering_report } = (await plain.json()) as { steering_report?: SteeringReport };
    expect(steering_report).toEqual({
      cheerful: { multiplier: 0.5 },
      [`${id}/cheerful`]: { multiplier: 0.5 },
    });
  });
});
