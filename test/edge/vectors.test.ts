// A trait's vector as a file: downloaded as the control-vector GGUF stored in R2, and imported as
// a new steerable model that steers like the original.
import { describe, expect, inject, it } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { sha256Hex } from "../../edge/src/lib/ids.ts";
import { encodeControlVector, parseControlVector } from "../../shared/control-vector.ts";
import { MAX_VECTOR_BYTES } from "../../shared/limits.ts";
import type { ChatCompletion } from "../../shared/openai/chat.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { BASE_MODEL, cheerfulWords, DAY_PROMPT, plantedModel } from "./steered-model.ts";
import { call, newAccount, streamed } from "./support.ts";
import { createModel, traitRows, waitForStatus } from "./training-support.ts";

const plantedBytes = () =>
  Uint8Array.from(atob(inject("plantedVector")), (char) => char.charCodeAt(0));

function download(key: string, id: string, trait: string) {
  return call(`/v1/steerable-models/${id}/vectors/${trait}`, { key });
}

function importVector(key: string, query: string, body: BodyInit) {
  // A stream needs duplex: "half" to be a request body.
  const init = { key, method: "POST", body, duplex: "half" } as RequestInit;
  return call(`/v1/steerable-models/import?${query}`, init);
}

async function errorOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  return ((await response.json()) as ApiErrorBody).error;
}

describe("GET /v1/steerable-models/{id}/vectors/{trait}", () => {
  it("downloads a trained trait's vector: a control-vector GGUF whose sha256 is its id", async () => {
    const { key } = await newAccount();
    const { id } = await createModel(key);
    await waitForStatus(key, id, "ready");
    const response = await download(key, id, "cheerful");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="${id}-cheerful.gguf"`,
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(parseControlVector(bytes).directions.size).toBeGreaterThan(0);
    const [trait] = await traitRows(id);
    expect(await sha256Hex(bytes)).toBe(trait?.vectorHash);
  });

  it("is 404 for an unknown trait or another account's model, 409 before the vector exists", async () => {
    const { accountId, key } = await newAccount();
    const ready = await plantedModel(accountId);
    expect(await errorOf(await download(key, ready.id, "gloomy"), 404)).toMatchObject({
      code: "trait_not_found",
      param: "trait",
    });
    const other = await newAccount();
    expect((await errorOf(await download(other.key, ready.id, "cheerful"), 404)).code).toBe(
      "model_not_found",
    );
    const pending = await plantedModel(accountId, "pending");
    expect((await errorOf(await download(key, pending.id, "cheerful"), 409)).code).toBe(
      "vector_not_ready",
    );
  });
});

describe("POST /v1/steerable-models/import", () => {
  it("makes a GGUF a ready model that steers, and gives the same file back", async () => {
    const { key } = await newAccount();
    const response = await importVector(key, "trait=cheerful&model_label=mine", plantedBytes());
    expect(response.status).toBe(201);
    const model = (await response.json()) as SteerableModel;
    // The base model defaults to the first the nodes serve.
    expect(model).toMatchObject({ status: "ready", model: BASE_MODEL, model_label: "mine" });
    expect(Object.keys(model.control_dimensions)).toEqual(["cheerful"]);

    const downloaded = new Uint8Array(
      await (await download(key, model.id, "cheerful")).arrayBuffer(),
    );
    expect(await sha256Hex(downloaded)).toBe(await sha256Hex(plantedBytes()));

    const chat = await call("/v1/chat/completions", {
      key,
      method: "POST",
      body: JSON.stringify({
        model: model.id,
        messages: DAY_PROMPT,
        max_tokens: 8,
        steering: { cheerful: 1 },
      }),
    });
    const completion = (await chat.json()) as ChatCompletion;
    expect(cheerfulWords(completion.choices[0]?.message.content ?? "")).toBeGreaterThanOrEqual(6);
  });

  it("refuses what is not a control vector, and names the bad parameter", async () => {
    const { key } = await newAccount();
    const query = `trait=cheerful&model=${BASE_MODEL}`;
    expect(await errorOf(await importVector(key, query, "not a gguf"), 400)).toMatchObject({
      code: "invalid_control_vector",
      param: "body",
    });
    expect(
      (await errorOf(await importVector(key, `model=${BASE_MODEL}`, plantedBytes()), 400)).param,
    ).toBe("trait");
    expect(
      await errorOf(await importVector(key, "trait=x&model=gpt-17", plantedBytes()), 400),
    ).toMatchObject({ param: "model", code: "unknown_base_model" });
    // The base model was once `label`: an unknown parameter is refused, never misread.
    expect(
      await errorOf(await importVector(key, `trait=x&label=${BASE_MODEL}`, plantedBytes()), 400),
    ).toMatchObject({ param: "label", code: "unknown_field" });
  });

  it("refuses a file larger than a GPU node takes, announced or streamed, before it becomes a model", async () => {
    const { key } = await newAccount();
    const huge = new Uint8Array(MAX_VECTOR_BYTES + 1);
    for (const body of [huge, streamed(huge)]) {
      const error = await errorOf(await importVector(key, "trait=big", body), 413);
      expect(error).toMatchObject({ code: "body_too_large", param: "body" });
      expect(error.message).toContain(String(MAX_VECTOR_BYTES));
    }
    const models = (await (await call("/v1/steerable-models", { key })).json()) as {
      data: unknown[];
    };
    expect(models.data).toEqual([]);
  });

  it("refuses a vector that does not fit the base model's layers or width, or whose norm is absurd", async () => {
    const { key } = await newAccount();
    const planted = parseControlVector(plantedBytes());
    const [layer, direction] = [...planted.directions][0] ?? [1, new Float32Array()];
    const misfits: [Map<number, Float32Array>, string, string][] = [
      [new Map([[layer, direction.subarray(1)]]), "control_vector_width", `layer ${layer}`],
      [new Map([[99, direction]]), "layer_out_of_range", "layer 99"],
      // Values near float32's largest: every answer would be the same garbage.
      [new Map([[layer, direction.map(() => 3e38)]]), "control_vector_norm", `direction.${layer}`],
    ];
    for (const [directions, expected, named] of misfits) {
      const body = encodeControlVector({ directions }) as Uint8Array<ArrayBuffer>;
      const error = await errorOf(await importVector(key, "trait=t", body), 400);
      expect(error).toMatchObject({ code: expected, param: "body" });
      expect(error.message).toContain(named);
    }
  });
});
