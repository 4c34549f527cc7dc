// What the steerable-model tests share: creating a model through the Worker, with examples small
// enough that its extraction on the test model takes a moment, and waiting on its status. The
// examples are persona words the test model's planted trait knows (test-model/concept.ts), and the
// prompt_list entries short starts of a reply, as the original product's recipe takes them.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect, vi } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { traits } from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import { call } from "./support.ts";

export const QUICK_MODEL = {
  model_label: "quick test",
  control_dimensions: {
    cheerful: {
      positive_examples: ["happy", "cheerful"],
      negative_examples: ["sad", "miserable"],
    },
  },
  prompt_list: ["I think", "Today we"],
};

/** Enough pairs that its job is still queued or running a moment after it was submitted. */
export const SLOW_MODEL = {
  ...QUICK_MODEL,
  control_dimensions: {
    slow: {
      positive_examples: Array.from({ length: 24 }, (_, i) => `glad about thing ${i}`),
      negative_examples: Array.from({ length: 24 }, (_, i) => `sad about thing ${i}`),
    },
  },
  prompt_list: Array.from({ length: 16 }, (_, i) => `Thing ${i} is`),
};

export function post(path: string, body: unknown, key: string, headers?: HeadersInit) {
  return call(path, { method: "POST", key, body: JSON.stringify(body), headers });
}

export async function createModel(
  key: string,
  body: object = QUICK_MODEL,
): Promise<SteerableModel> {
  const response = await post("/v1/steerable-models", body, key);
  expect(response.status).toBe(202);
  return (await response.json()) as SteerableModel;
}

/** Reads the model (which reconciles it) until its status is `status`. */
export function waitForStatus(
  key: string,
  id: string,
  status: SteerableModel["status"],
): Promise<SteerableModel> {
  return vi.waitFor(
    async () => {
      const model = (await (
        await call(`/v1/steerable-models/${id}`, { key })
      ).json()) as SteerableModel;
      if (model.status !== status) throw new Error(`status ${model.status}, not ${status}`);
      return model;
    },
    { timeout: 45_000, interval: 200 },
  );
}

/** The model's trait rows in D1. */
export function traitRows(modelId: string) {
  return database(env.DB).select().from(traits).where(eq(traits.modelId, modelId));
}

/** The trait's row once it has a job on a node. */
export function trainingTrait(modelId: string) {
  return vi.waitFor(
    async () => {
      const [trait] = await traitRows(modelId);
      if (!trait?.jobId || !trait.jobNode) throw new Error("no job yet");
      return { ...trait, jobId: trait.jobId, jobNode: trait.jobNode };
    },
    { timeout: 10_000, interval: 50 },
  );
}
