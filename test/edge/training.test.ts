// Training against the real GPU node when jobs go wrong: a job the node forgot, cancelled or never
// had, a node that cannot be reached (for a moment, or for good), a dataset the node refuses, and
// a trait out of tries. The status always ends ready or failed, never stuck; the cron moves models
// on when nobody reads them.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { createApp } from "../../edge/src/app.ts";
import { steerableModels, traits } from "../../edge/src/db/schema.ts";
import worker from "../../edge/src/index.ts";
import { MAX_ATTEMPTS } from "../../edge/src/jobs/lifecycle.ts";
import { database } from "../../edge/src/lib/db.ts";
import { vectorKey } from "../../edge/src/nodes/vectors.ts";
import { insertModel, type ModelOwner } from "../../edge/src/training/models.ts";
import type { ExtractionJob } from "../../shared/node-api/extractions.ts";
import { BASE_MODEL, nodeFetch } from "./steered-model.ts";
import { newAccount } from "./support.ts";
import {
  createModel,
  QUICK_MODEL,
  SLOW_MODEL,
  trainingTrait,
  traitRows,
  waitForStatus,
} from "./training-support.ts";

const db = database(env.DB);

/** Points the model's trait at another job (or node), as a lost job would leave it. */
async function setJob(
  modelId: string,
  job: { jobId?: string; jobNode?: string; attempts?: number },
) {
  await db.update(traits).set(job).where(eq(traits.modelId, modelId));
}

describe("a job that goes wrong", () => {
  it("is resubmitted when the node cancelled it", async () => {
    const { key } = await newAccount();
    const { id } = await createModel(key, SLOW_MODEL);
    const { jobId } = await trainingTrait(id);
    const cancelled = await nodeFetch(`/v1/extractions/${jobId}`, { method: "DELETE" });
    expect(((await cancelled.json()) as ExtractionJob).status).toBe("cancelled");
    await waitForStatus(key, id, "ready");
    const [trait] = await traitRows(id);
    expect(trait).toMatchObject({ status: "ready", attempts: 2 });
    expect(trait?.jobId).not.toBe(jobId);
  });

  it("is resubmitted when the node does not know it (it restarted)", async () => {
    const { key } = await newAccount();
    const { id } = await createModel(key);
    await waitForStatus(key, id, "ready");
    // Back to training on a job no node has.
    await db.update(steerableModels).set({ status: "training" }).where(eq(steerableModels.id, id));
    await db
      .update(traits)
      .set({ status: "training", vectorHash: null, jobId: "extraction-gone" })
      .where(eq(traits.modelId, id));
    await waitForStatus(key, id, "ready");
    expect((await traitRows(id))[0]).toMatchObject({ attempts: 2, error: null });
  });

  it("is resubmitted elsewhere when its node cannot be reached", async () => {
    const { key } = await newAccount();
    const { id } = await createModel(key);
    await trainingTrait(id);
    await setJob(id, { jobNode: "http://127.0.0.1:9" });
    const ready = await waitForStatus(key, id, "ready");
    expect(ready.failure_reason).toBeNull();
    const [trait] = await traitRows(id);
    expect(trait?.jobNode).toBe(env.GPU_NODES);
    expect(await env.VECTORS.head(vectorKey(trait?.vectorHash ?? ""))).not.toBeNull();
  });

  it("fails the model, with the reason, once the trait is out of tries", async () => {
    const { key } = await newAccount();
    const { id } = await createModel(key);
    await trainingTrait(id);
    await setJob(id, { jobId: "extraction-gone", attempts: MAX_ATTEMPTS });
    const failed = await waitForStatus(key, id, "failed");
    expect(failed.failure_reason).toBe("trait cheerful: its GPU node lost the job");
  });
});

describe("no node to take a job", () => {
  /** Waits a test can sit through (wrangler.toml's run from seconds to minutes). */
  const QUICK_RETRY = {
    TRAINING_RETRY_FIRST_MS: 200,
    TRAINING_RETRY_MAX_MS: 800,
    TRAINING_GIVE_UP_MS: 4000,
  };
  /** The pool as it is while its one node restarts: nothing listens there. */
  const NO_NODE = { GPU_NODES: "http://127.0.0.1:9" };
  const app = createApp();

  /** A model as POST /v1/steerable-models stores it, before any job. */
  function storedModel(owner: ModelOwner, dimensions = QUICK_MODEL.control_dimensions) {
    return insertModel(db, {
      ...owner,
      label: "outage",
      baseModel: BASE_MODEL,
      dimensions,
      promptList: QUICK_MODEL.prompt_list,
    });
  }

  /** Reads the model through the Worker, with `vars` in place of wrangler.toml's. */
  async function readModel(key: string, id: string, vars: object) {
    const context = createExecutionContext();
    const response = await app.request(
      `/v1/steerable-models/${id}`,
      { headers: { authorization: `Bearer ${key}` } },
      { ...env, ...QUICK_RETRY, ...vars },
      context,
    );
    await waitOnExecutionContext(context);
    return (await response.json()) as SteerableModel;
  }

  it("waits out a node that is gone for a moment, trying again at growing intervals, not on every read", async () => {
    const { key, accountId, id: keyId } = await newAccount();
    const { id } = await storedModel({ accountId, keyId });
    // Read as the playground does, only faster, while the node is away for 2 s.
    const tries = new Set<number>();
    let reads = 0;
    const back = Date.now() + 2000;
    while (Date.now() < back) {
      expect((await readModel(key, id, NO_NODE)).status).toBe("pending");
      reads += 1;
      const [trait] = await traitRows(id);
      // Each try that finds no node sets the next one's time.
      if (trait?.retryAt) tries.add(trait.retryAt);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const times = [...tries];
    const waits = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(reads / 2);
    for (const wait of waits)
      expect(wait).toBeGreaterThanOrEqual(QUICK_RETRY.TRAINING_RETRY_FIRST_MS);
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(2 * QUICK_RETRY.TRAINING_RETRY_FIRST_MS);

    // The node is back: the next try is the trait's first job, and it trains.
    const ready = await vi.waitFor(
      async () => {
        const model = await readModel(key, id, {});
        if (model.status !== "ready") throw new Error(`status ${model.status}`);
        return model;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(ready.failure_reason).toBeNull();
    expect((await traitRows(id))[0]).toMatchObject({
      status: "ready",
      attempts: 1,
      error: null,
      unavailableSince: null,
      retryAt: null,
    });
  });

  it("fails the model once no node has taken its job for the whole span, saying since when", async () => {
    const { key, accountId, id: keyId } = await newAccount();
    const { id } = await storedModel({ accountId, keyId });
    const created = Date.now();
    const failed = await vi.waitFor(
      async () => {
        const model = await readModel(key, id, NO_NODE);
        if (model.status !== "failed") throw new Error(`status ${model.status}`);
        return model;
      },
      { timeout: 30_000, interval: 50 },
    );
    const since = /since (\S+Z):/.exec(failed.failure_reason ?? "")?.[1] ?? "";
    expect(failed.failure_reason).toBe(
      `trait cheerful: no GPU node could take its extraction since ${since}: ` +
        "no GPU node is reachable; retry shortly",
    );
    expect(Date.parse(since)).toBeGreaterThanOrEqual(created);
    expect(Date.now() - Date.parse(since)).toBeGreaterThanOrEqual(QUICK_RETRY.TRAINING_GIVE_UP_MS);
    expect((await traitRows(id))[0]).toMatchObject({ status: "failed", attempts: 0 });
  });

  it("fails the model at once when the node refuses its dataset", async () => {
    const { key, accountId, id: keyId } = await newAccount();
    // Examples the edge would never send: the node's own checks refuse them.
    const { id } = await storedModel(
      { accountId, keyId },
      {
        cheerful: { positive_examples: [], negative_examples: [] },
      },
    );
    const failed = await readModel(key, id, {});
    expect(failed.status).toBe("failed");
    expect(failed.failure_reason).toMatch(
      /^trait cheerful: the GPU node refused its extraction: personas\.positive/,
    );
    expect((await traitRows(id))[0]).toMatchObject({ status: "failed", attempts: 0 });
  });
});

describe("the cron", () => {
  it("trains models nobody reads", async () => {
    const { accountId, id: keyId } = await newAccount();
    const model = await insertModel(db, {
      accountId,
      keyId,
      label: "cron",
      baseModel: BASE_MODEL,
      dimensions: QUICK_MODEL.control_dimensions,
      promptList: QUICK_MODEL.prompt_list,
    });
    const statusNow = async () => {
      const context = createExecutionContext();
      await worker.scheduled(createScheduledController(), env, context);
      await waitOnExecutionContext(context);
      const [row] = await db
        .select({ status: steerableModels.status })
        .from(steerableModels)
        .where(and(eq(steerableModels.id, model.id)));
      return row?.status;
    };
    expect(await statusNow()).toBe("training");
    await vi.waitFor(async () => expect(await statusNow()).toBe("ready"), {
      timeout: 30_000,
      interval: 200,
    });
  });
});

describe("the original recipe", () => {
  /** A job on the node itself, run to its end: its vector's id. */
  async function nodeVector(request: object): Promise<string> {
    const submitted = await nodeFetch("/v1/extractions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as ExtractionJob;
    return vi.waitFor(
      async () => {
        const job = (await (await nodeFetch(`/v1/extractions/${id}`)).json()) as ExtractionJob;
        if (!job.vector_id) throw new Error(`job ${job.status}`);
        return job.vector_id;
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  it("trains each trait as the node's persona mode: examples as personas, prompt_list as openers, the model's template", async () => {
    const { key } = await newAccount();
    const template = "Talk like a {persona} person.";
    const { id } = await createModel(key, { ...QUICK_MODEL, template });
    await waitForStatus(key, id, "ready");
    const [trait] = await traitRows(id);
    const { positive_examples, negative_examples } = QUICK_MODEL.control_dimensions.cheerful;
    const personas = {
      positive: positive_examples,
      negative: negative_examples,
      openers: QUICK_MODEL.prompt_list,
      template,
    };
    // The same dataset on the node gives the same vector, to the byte (extraction is deterministic).
    expect(trait?.vectorHash).toBe(await nodeVector({ personas }));
  });

  it("leaves the openers and the template to the node's defaults when the model gives none", async () => {
    const { key } = await newAccount();
    const { prompt_list: _, ...defaults } = QUICK_MODEL;
    const { id } = await createModel(key, defaults);
    await waitForStatus(key, id, "ready");
    const [trait] = await traitRows(id);
    const { positive_examples, negative_examples } = QUICK_MODEL.control_dimensions.cheerful;
    const personas = { positive: positive_examples, negative: negative_examples };
    expect(trait?.vectorHash).toBe(await nodeVector({ personas }));
  });
});
