// A steerable model's layers through the Worker, trained on the real GPU node: by default each
// trait's are chosen by measurement, and the model's record says which and why (layer_choices);
// `layers: "band"` and a list of layers are forwarded with every trait's extraction; layers the
// base model cannot steer are a 400 naming the field, nothing stored.
import { describe, expect, inject, it } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { parseControlVector } from "../../shared/control-vector.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount } from "./support.ts";
import { createModel, post, waitForStatus } from "./training-support.ts";

/** The test model's band trait (calm vs angry, in layer 1 alone), as persona pairs. */
function bandModel(layers?: unknown) {
  const band = inject("plantedBand");
  return {
    model_label: "calm",
    control_dimensions: {
      calm: {
        positive_examples: band.positive.slice(0, 3),
        negative_examples: band.negative.slice(0, 3),
      },
    },
    prompt_list: ["I think", "Today we", "Well,"],
    ...(layers === undefined ? {} : { layers }),
  };
}

/** The layers the trait's vector file steers. */
async function vectorLayers(key: string, id: string, trait: string): Promise<number[]> {
  const response = await call(`/v1/steerable-models/${id}/vectors/${trait}`, { key });
  expect(response.status).toBe(200);
  const vector = parseControlVector(new Uint8Array(await response.arrayBuffer()));
  return [...vector.directions.keys()];
}

describe("a model's layers", () => {
  it("are chosen by measurement by default: the band trait's own layer, said with its scores", async () => {
    const { key } = await newAccount();
    const created = await createModel(key, bandModel());
    expect(created).toMatchObject({ layers: null, layer_choices: {} });
    const ready = await waitForStatus(key, created.id, "ready");
    const choice = ready.layer_choices.calm;
    const planted = inject("plantedBand").layers;
    expect(choice).toMatchObject({ by: "measurement", layers: planted });
    expect(choice?.reason).toContain("reads best on held-out pairs at layer 1");
    expect(choice?.scores?.map((score) => score.layer)).toEqual([1, 2]);
    expect(await vectorLayers(key, created.id, "calm")).toEqual(planted);
    // The original's routes show the same record.
    const original = (await (
      await call(`/steerable-model/${created.id}`, { key })
    ).json()) as SteerableModel;
    expect(original.layer_choices).toEqual(ready.layer_choices);
  });

  it('keep the fixed band for layers: "band", and a list for a list', async () => {
    const { key } = await newAccount();
    const band = await createModel(key, bandModel("band"));
    const named = await createModel(key, bandModel([3, 1]));
    expect(band.layers).toBe("band");
    expect(named.layers).toEqual([3, 1]);
    const fixed = (await waitForStatus(key, band.id, "ready")).layer_choices.calm;
    expect(fixed).toMatchObject({ by: "band", layers: [2, 3], scores: null });
    expect(await vectorLayers(key, band.id, "calm")).toEqual([2, 3]);
    const asked = (await waitForStatus(key, named.id, "ready")).layer_choices.calm;
    expect(asked).toMatchObject({ by: "request", layers: [1, 3], scores: null });
    expect(await vectorLayers(key, named.id, "calm")).toEqual([1, 3]);
  });

  it("that cannot be are a 400 naming the field, and nothing is stored", async () => {
    const cases: [unknown, string, string][] = [
      [[4], "layers", "layer_out_of_range"],
      [[0], "layers[0]", "invalid_request"],
      [[1.5], "layers[0]", "invalid_request"],
      [[], "layers", "invalid_request"],
      ["middle", "layers", "invalid_request"],
      [{ first: 1 }, "layers", "invalid_request"],
    ];
    for (const [layers, param, code] of cases) {
      const { key } = await newAccount();
      const response = await post("/v1/steerable-models", bandModel(layers), key);
      expect(response.status, JSON.stringify(layers)).toBe(400);
      const { error } = (await response.json()) as ApiErrorBody;
      expect(error, JSON.stringify(layers)).toMatchObject({ param, code });
      const list = await (await call("/v1/steerable-models", { key })).json();
      expect(list).toEqual({ object: "list", data: [] });
    }
  });
});
