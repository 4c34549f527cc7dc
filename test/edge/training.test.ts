// Training against the real GPU node when jobs go wrong: a job the node forgot, cancelled or never
// had, a node that cannot be reached, and a trait out of tries. The status always ends ready or
// failed, never stuck; the cron moves models on when nobody reads them.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { steerableModels, traits } from "../../edge/src/db/schema.ts";
import worker from "../../edge/src/index.ts";
import { database } from "../../edge/src/lib/db.ts";
import { vectorKey } from "../../edge/src/nodes/vectors.ts";
import { insertModel } from "../../edge/src/training/models.ts";
import { MAX_ATTEMPTS } from "../../edge/src/training/reconcile.ts";
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

describe("the cron", () => {
  it("trains models nobody reads", async () => {
    const { accountId } = await newAccount();
    const model = await insertModel(db, {
      accountId,
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
