// A trait made from a description, through the Worker and a real GPU node: its persona pairs are
// written by the node's generator (the test model itself, its answer held to the pairs' schema by
// a grammar), shown in control_dimensions as generated, metered to the caller, and trained on; sent
// back, corrected, they make a model of their own. A generator whose answers stay malformed (an
// endpoint that only ever answers prose, on a node of its own) fails the model at once, saying why.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it, vi } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import type { UsageList } from "../../edge/src/api/usage.ts";
import { createApp } from "../../edge/src/app.ts";
import { MAX_GENERATED_PAIRS } from "../../shared/limits.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount, usageRows } from "./support.ts";
import { createModel, post, QUICK_MODEL, traitRows, waitForStatus } from "./training-support.ts";

const PIRATE = {
  model_label: "described",
  control_dimensions: { pirate: { description: "speaks like a pirate", pairs: 3 } },
  prompt_list: QUICK_MODEL.prompt_list,
};

async function readModel(key: string, id: string): Promise<SteerableModel> {
  return (await (await call(`/v1/steerable-models/${id}`, { key })).json()) as SteerableModel;
}

describe("a described trait", () => {
  it("goes pending, generating, training, ready; its generated pairs shown, its tokens metered", async () => {
    const { key, accountId } = await newAccount();
    const created = await createModel(key, PIRATE);
    expect(created.status).toBe("pending");
    expect(created.control_dimensions.pirate).toEqual({
      positive_examples: [],
      negative_examples: [],
      description: "speaks like a pirate",
      pairs: 3,
      generated: true,
    });

    const seen: string[] = [];
    const ready = await vi.waitFor(
      async () => {
        const model = await readModel(key, created.id);
        if (seen.at(-1) !== model.status) seen.push(model.status);
        if (model.status !== "ready") throw new Error(`status ${model.status}`);
        return model;
      },
      { timeout: 60_000, interval: 50 },
    );
    // Every step in order, none skipped but a first read that came after the job was submitted.
    expect(["pending", "generating", "training", "ready"]).toEqual(expect.arrayContaining(seen));
    expect(seen.slice(-3)).toEqual(["generating", "training", "ready"]);
    const pirate = ready.control_dimensions.pirate;
    expect(pirate).toMatchObject({
      description: "speaks like a pirate",
      pairs: 3,
      generated: true,
    });
    expect(pirate?.positive_examples.length).toBeGreaterThanOrEqual(2);
    expect(pirate?.negative_examples).toHaveLength(pirate?.positive_examples.length ?? 0);
    // The extraction, after the generation, had a try of its own.
    expect((await traitRows(created.id))[0]).toMatchObject({ status: "ready", attempts: 1 });

    const [metered] = await usageRows(accountId, 1);
    expect(metered?.requestId).toBe(`${created.id}/pirate`);
    const usage = (await (await call("/v1/usage", { key })).json()) as UsageList;
    const generation = usage.data.filter((row) => row.kind === "generation");
    expect(generation).toHaveLength(1);
    expect(generation[0]).toMatchObject({ model: created.id, requests: 1 });
    expect(generation[0]?.completion_tokens).toBeGreaterThan(0);

    // Sent back, its last pair taken out: a model of the examples as corrected, trained as given.
    const corrected = structuredClone(ready.control_dimensions);
    for (const trait of Object.values(corrected)) {
      trait.positive_examples.pop();
      trait.negative_examples.pop();
    }
    const copy = await createModel(key, { ...PIRATE, control_dimensions: corrected });
    expect(copy.control_dimensions.pirate).toEqual({
      positive_examples: pirate?.positive_examples.slice(0, -1),
      negative_examples: pirate?.negative_examples.slice(0, -1),
      description: "speaks like a pirate",
    });
    await waitForStatus(key, copy.id, "ready");
    const after = (await (await call("/v1/usage", { key })).json()) as UsageList;
    expect(after.data.filter((row) => row.kind === "generation")).toHaveLength(1);
  });

  it("fails its model at once when the generator's answers are malformed, asked twice", async () => {
    const { key } = await newAccount();
    const app = createApp();
    const nodeEnv = { ...env, GPU_NODES: inject("malformedGeneratorNode") };
    const context = createExecutionContext();
    const response = await app.request(
      "/v1/steerable-models",
      {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(PIRATE),
      },
      nodeEnv,
      context,
    );
    await waitOnExecutionContext(context);
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as SteerableModel;
    const failed = await waitForStatus(key, id, "failed");
    expect(failed.failure_reason).toBe(
      "trait pirate: the generator (malformed) wrote 0 usable persona pairs of the 3 asked, " +
        "after a retry; at least 2 are needed. Dropped: 2 malformed answers (the last: not " +
        'JSON: "Arr! Pairs be for landlubbers.")',
    );
    // One job, not resubmitted: another would ask the same generator the same.
    expect((await traitRows(id))[0]).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.control_dimensions.pirate?.positive_examples).toEqual([]);
  });
});

describe("a described trait that could never train", () => {
  async function refusal(body: object) {
    const { key } = await newAccount();
    const response = await post("/v1/steerable-models", body, key);
    const { error } = (await response.json()) as ApiErrorBody;
    const listed = (await (await call("/v1/steerable-models", { key })).json()) as {
      data: unknown[];
    };
    return { status: response.status, param: error.param, stored: listed.data.length };
  }

  const described = (trait: object, rest: object = {}) => ({
    ...PIRATE,
    control_dimensions: { pirate: trait },
    ...rest,
  });

  it("is refused, naming the field, and nothing is stored", async () => {
    const field = "control_dimensions.pirate";
    const cases: [object, string][] = [
      [described({ description: "" }), `${field}.description`],
      [described({ description: "x".repeat(501) }), `${field}.description`],
      [described({ description: "pirate", pairs: 0 }), `${field}.pairs`],
      [described({ description: "pirate", pairs: MAX_GENERATED_PAIRS + 1 }), `${field}.pairs`],
      [described({ pairs: 4 }), `${field}.description`],
      [described({ ...QUICK_MODEL.control_dimensions.cheerful, pairs: 4 }), `${field}.pairs`],
      [described({}), `${field}.description`],
      [
        described({ description: "pirate", positive_examples: ["salty"] }),
        `${field}.negative_examples`,
      ],
      // Its pairs would make too many for an extraction with these openers: refused before any
      // is written.
      [
        described(
          { description: "pirate", pairs: MAX_GENERATED_PAIRS },
          { prompt_list: Array.from({ length: 300 }, (_, i) => `Opener number ${i} goes on`) },
        ),
        "prompt_list",
      ],
    ];
    for (const [body, param] of cases) {
      expect(await refusal(body), JSON.stringify(body).slice(0, 120)).toEqual({
        status: 400,
        param,
        stored: 0,
      });
    }
  });
});
