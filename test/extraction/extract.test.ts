// Extraction finds the trait planted in the test model: from persona pairs alone, the direction
// it returns is the planted unit direction u, signed toward the positive personas, on every layer
// after layer 0 copies the prompt's trait forward. And it computes what repeng computes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import {
  type ContrastPair,
  pairDataset,
  personaDataset,
} from "../../gpu-node/extraction/dataset.ts";
import { extractControlVector } from "../../gpu-node/extraction/extract.ts";
import { fixedBand } from "../../gpu-node/extraction/layer-choice.ts";
import { DEFAULT_OPENERS } from "../../gpu-node/extraction/openers.ts";
import { dot } from "../../gpu-node/extraction/pca.ts";
import { BAND_WORDS, type PlantedBand, readPlantedBand } from "../../gpu-node/test-model/band.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/concept.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { errorCode, loadTestEngine, testModelPath } from "../support/engine.ts";
import { type Planted, readPlanted } from "../support/planted.ts";
import { type ReferenceMethod, referenceDirection } from "./repeng-reference.ts";

const LAYERS = [1, 2, 3];

let engine: Engine;
let planted: Planted;
let band: PlantedBand;
let pairs: ContrastPair[];

beforeAll(async () => {
  engine = await loadTestEngine();
  planted = await readPlanted(testModelPath, engine.model.metadata.layerCount);
  band = readPlantedBand((await readGgufFile(testModelPath)).metadata);
  pairs = await personaDataset(engine, {
    positive: CONCEPT_WORDS.positive.slice(0, 3),
    negative: CONCEPT_WORDS.negative.slice(0, 3),
    openers: DEFAULT_OPENERS.slice(0, 16),
  });
});
afterAll(() => engine.close());

/** Cosine of each layer's direction with the planted u (the directions are unit length). */
function cosines(directions: ReadonlyMap<number, Float32Array>): number[] {
  return LAYERS.map((layer) => dot(directions.get(layer) ?? [], planted.concept.direction));
}

describe("extraction on the planted-concept model", () => {
  it.each(["pca", "pca_center", "mean_diff"] as const)(
    "%s recovers the planted direction",
    async (method) => {
      const { vector, report } = await extractControlVector(engine, pairs, {
        method,
        layers: LAYERS,
      });
      expect([...vector.directions.keys()]).toEqual(LAYERS);
      for (const direction of vector.directions.values())
        expect(Math.hypot(...direction)).toBeCloseTo(1, 5);
      for (const cosine of cosines(vector.directions)) expect(cosine).toBeGreaterThanOrEqual(0.95);
      for (const layer of report) {
        expect(layer.separation).toBe(1);
        expect(layer.explainedVariance).toBeGreaterThan(0.9);
        expect(layer.meanGap).toBeGreaterThan(0);
      }
    },
  );

  it("matches repeng's computation, done in float64 on the same hidden states", async () => {
    const texts = pairs.flatMap((pair) => [pair.positive, pair.negative]);
    const captured = await engine.captureTokens(texts, { layers: LAYERS });
    const states = (layer: number, side: 0 | 1) =>
      captured
        .filter((_, i) => i % 2 === side)
        .map((text) => text.states.get(layer) as Float32Array);
    for (const method of ["pca_diff", "pca", "pca_center"] satisfies ReferenceMethod[]) {
      const { vector } = await extractControlVector(engine, pairs, { method, layers: LAYERS });
      for (const layer of LAYERS) {
        const expected = referenceDirection(method, states(layer, 0), states(layer, 1));
        expect(dot(vector.directions.get(layer) ?? [], expected)).toBeGreaterThan(0.99999);
      }
    }
  });

  it("is deterministic", async () => {
    const run = () => extractControlVector(engine, pairs, { method: "pca_diff", layers: LAYERS });
    expect(await run()).toEqual(await run());
  });

  it("captures many pairs in turns, reporting progress in pairs", async () => {
    // More pairs than one capture call takes, all alike: every row must come out the same.
    const one = { positive: "I am happy", negative: "I am sad" };
    const many = await pairDataset(engine, Array(600).fill(one));
    const progress: number[] = [];
    const { report } = await extractControlVector(engine, many, {
      method: "mean_diff",
      layers: [1],
      onProgress: (done, total) => progress.push(total === 600 ? done : Number.NaN),
    });
    expect(progress).toContain(512);
    expect(progress.at(-1)).toBe(600);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const alone = await extractControlVector(engine, await pairDataset(engine, [one]), {
      method: "mean_diff",
      layers: [1],
    });
    expect(report[0]?.separation).toBe(1);
    // Batched in other groups, the states are summed in another order: float32 rounding apart.
    expect(report[0]?.meanGap).toBeCloseTo(alone.report[0]?.meanGap ?? 0, 4);
  });

  it('keeps the upper middle of the stack for layers: "band"', async () => {
    expect(fixedBand(32)).toEqual(Array.from({ length: 13 }, (_, i) => 15 + i));
    expect(fixedBand(16)).toEqual([8, 9, 10, 11, 12, 13, 14]);
    expect(fixedBand(4)).toEqual([2, 3]);
    expect(fixedBand(2)).toEqual([1]);
    const { vector, choice } = await extractControlVector(engine, pairs.slice(0, 8), {
      layers: "band",
    });
    expect([...vector.directions.keys()]).toEqual([2, 3]);
    expect(choice).toMatchObject({ by: "band", layers: [2, 3], scores: null });
    expect(choice.reason).toContain("fixed band");
  });
});

describe("layers chosen by measurement (the default)", () => {
  it("finds the band trait in the layers it lives in, which the fixed band misses", async () => {
    const calm = await personaDataset(engine, {
      positive: BAND_WORDS.positive.slice(0, 4),
      negative: BAND_WORDS.negative.slice(0, 4),
      openers: DEFAULT_OPENERS.slice(0, 4),
    });
    const { vector, report, choice } = await extractControlVector(engine, calm);
    expect(choice.by).toBe("measurement");
    expect(choice.layers).toEqual(band.layers);
    expect(band.layers).not.toEqual(fixedBand(engine.model.metadata.layerCount));
    // Every candidate was measured (all but layer 0 and the last), and the band alone reads.
    expect(choice.scores?.map((score) => score.layer)).toEqual([1, 2]);
    for (const score of choice.scores ?? []) {
      if (band.layers.includes(score.layer)) expect(score.readability).toBeGreaterThan(0.9);
      else expect(score.readability).toBeLessThan(0.3);
    }
    expect(choice.reason).toMatch(/reads best on held-out pairs at layer 1/);
    expect([...vector.directions.keys()]).toEqual(band.layers);
    expect(dot(vector.directions.get(1) ?? [], band.direction)).toBeGreaterThan(0.95);
    expect(report.map((layer) => layer.layer)).toEqual(band.layers);
  });

  it("keeps every candidate where the trait reads everywhere (cheerful), and reports progress once per pair", async () => {
    const progress: number[] = [];
    const { choice } = await extractControlVector(engine, pairs.slice(0, 12), {
      onProgress: (done, total) => progress.push(total === 12 ? done : Number.NaN),
    });
    expect(choice).toMatchObject({ by: "measurement", layers: [1, 2] });
    for (const score of choice.scores ?? []) expect(score.readability).toBeGreaterThan(0.9);
    expect(progress.at(-1)).toBe(12);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("falls back to the fixed band on too few pairs to hold any out", async () => {
    const { choice } = await extractControlVector(engine, pairs.slice(0, 3));
    expect(choice).toMatchObject({ by: "band", layers: [2, 3], scores: null });
    expect(choice.reason).toContain("3 pairs are too few");
  });
});

describe("what extraction refuses", () => {
  const some = () => pairs.slice(0, 4);

  it("layers that cannot be steered, or none", async () => {
    expect(await errorCode(() => extractControlVector(engine, some(), { layers: [0] }))).toBe(
      "layer_out_of_range",
    );
    expect(await errorCode(() => extractControlVector(engine, some(), { layers: [4] }))).toBe(
      "layer_out_of_range",
    );
    expect(await errorCode(() => extractControlVector(engine, some(), { layers: [1.5] }))).toBe(
      "layer_out_of_range",
    );
    expect(await errorCode(() => extractControlVector(engine, some(), { layers: [] }))).toBe(
      "invalid_request",
    );
  });

  it("an unknown method, or no pairs", async () => {
    const method = "svd" as "pca";
    expect(await errorCode(() => extractControlVector(engine, some(), { method }))).toBe(
      "invalid_request",
    );
    expect(await errorCode(() => extractControlVector(engine, []))).toBe("invalid_request");
  });

  it("pca_diff finds nothing when every pair differs the same way; pca finds the trait", async () => {
    const same = await pairDataset(
      engine,
      Array(3).fill({ positive: "I am happy", negative: "I am sad" }),
    );
    const error = await extractControlVector(engine, same, {
      method: "pca_diff",
      layers: [1],
    }).catch((e) => e);
    expect(error).toMatchObject({ code: "invalid_request", param: "method" });
    expect(error.message).toContain("use pca");
    const { vector } = await extractControlVector(engine, same, { method: "pca", layers: [1] });
    expect(dot(vector.directions.get(1) ?? [], planted.concept.direction)).toBeGreaterThan(0.95);
  });

  it("texts with no difference at all", async () => {
    const none = await pairDataset(engine, [{ positive: "I am happy", negative: "I am happy" }]);
    for (const method of ["pca", "pca_center", "mean_diff"] as const) {
      expect(
        await errorCode(() => extractControlVector(engine, none, { method, layers: [1] })),
      ).toBe("invalid_request");
    }
  });

  it("stops when cancelled", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stopped"));
    const error = await extractControlVector(engine, some(), {
      layers: [1],
      signal: controller.signal,
    }).catch((e) => e);
    expect(error).toMatchObject({ message: "stopped" });
  });
});
