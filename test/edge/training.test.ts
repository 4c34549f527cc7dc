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
import {
  contrastPairs,
  DEFAULT_PROMPTS,
  MAX_PAIRS,
} from "../../edge/src/training/contrast-pairs.ts";
import { insertModel } from "../../edge/src/training/models.ts";
import { MAX_ATTEMPTS } from "../../edge/src/training/reconcile.ts";
import type { ExtractionJob } from "../../shared/api/extractions.ts";
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
      label: BASE_MODEL,
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

describe("contrast pairs", () => {
  const dimension = { positive_examples: ["happy", "glad", "merry"], negative_examples: ["sad"] };

  it("sets every example pair after every prompt, the shorter side repeating", () => {
    const pairs = contrastPairs(dimension, ["Hi.", "Bye."]);
    expect(pairs).toHaveLength(6);
    expect(pairs[0]).toEqual({
      positive: "User: Hi.\nAssistant: happy",
      negative: "User: Hi.\nAssistant: sad",
    });
    expect(pairs[5]).toEqual({
      positive: "User: Bye.\nAssistant: merry",
      negative: "User: Bye.\nAssistant: sad",
    });
  });

  it("uses the default prompts when none are given, and stops at MAX_PAIRS", () => {
    expect(contrastPairs(dimension)).toHaveLength(3 * DEFAULT_PROMPTS.length);
    const many = Array.from({ length: 100 }, (_, i) => `example ${i}`);
    const prompts = Array.from({ length: 100 }, (_, i) => `prompt ${i}`);
    const pairs = contrastPairs({ positive_examples: many, negative_examples: many }, prompts);
    expect(pairs).toHaveLength(MAX_PAIRS);
    expect(new Set(pairs.map((pair) => pair.positive.split("Assistant: ")[1])).size).toBe(100);
  });
});
