// Evaluations through the Worker, on the real GPU node and the test model's planted "cheerful"
// trait: created on a ready model (202), polled to their result, metered as evaluations, the
// trait's quality card on its model, ratings that recalibrate the judge, listed and deleted, never
// another account's; MMLU loaded through the operator's route, then asked, and the note when none
// is loaded. Settings are small, so that each evaluation takes a moment on the test model.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, inject, it, vi } from "vitest";
import type { Evaluation } from "../../edge/src/api/evaluations.ts";
import { evaluationSchema } from "../../edge/src/api/evaluations.ts";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import type { UsageList } from "../../edge/src/api/usage.ts";
import { evaluations } from "../../edge/src/db/schema.ts";
import { NO_MMLU_NOTE } from "../../edge/src/evaluations/mmlu.ts";
import type { StoredEvaluation } from "../../edge/src/evaluations/records.ts";
import worker from "../../edge/src/index.ts";
import { database } from "../../edge/src/lib/db.ts";
import {
  type MmluQuestion,
  parseMmluCsv,
  parseMmluFileName,
  selectMmluQuestions,
} from "../../shared/evaluation/mmlu.ts";
import type { EvaluationResult } from "../../shared/evaluation/result.ts";
import { qualityCard } from "../../shared/evaluation/summary.ts";
import type { NodeEvaluationJob } from "../../shared/node-api/evaluations.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import {
  createEvaluation,
  evaluated,
  getEvaluation,
  QUICK,
  waitForEvaluation,
} from "./evaluation-support.ts";
import { OPERATOR_TOKEN } from "./operator-token.ts";
import { nodeFetch, plantedModel } from "./steered-model.ts";
import { call, newAccount, usageRows } from "./support.ts";
import { post } from "./training-support.ts";

const db = database(env.DB);

/** Enough work that its job is still queued or running a moment after it was submitted. */
const SLOW = {
  ...QUICK,
  multipliers: [-2, -1, 1, 2],
  prompts: Array.from({ length: 24 }, (_, i) => `Tell me a long story about thing ${i}.`),
  max_tokens: 200,
};

async function expectRefused(response: Response, status: number, param: string) {
  const body = (await response.json()) as ApiErrorBody;
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error.param).toBe(param);
  return body.error;
}

function rate(key: string, id: string, ratings: object[]) {
  return post(`/v1/evaluations/${id}/ratings`, { ratings }, key);
}

function stored(id: string): Promise<StoredEvaluation | undefined> {
  return env.VECTORS.get(`evaluations/${id}.json`).then((object) => object?.json());
}

describe("an evaluation", () => {
  it("runs on a GPU node to its result: every multiplier's answers, scores and range", async () => {
    const { key, model } = await newAccount().then(async (account) => ({
      ...account,
      model: await plantedModel(account.accountId),
    }));
    const created = await createEvaluation(key, { model: model.id, ...QUICK });
    expect(created).toMatchObject({
      object: "evaluation",
      model: model.id,
      trait: "cheerful",
      status: "queued",
      failure_reason: null,
      result: null,
    });
    const done = await waitForEvaluation(key, created.id);
    // Every field documented, none more.
    expect(evaluationSchema.parse(done)).toEqual(done);
    expect(done.progress.done).toBe(done.progress.total);
    const result = done.result as EvaluationResult;
    expect(result.prompts).toEqual(QUICK.prompts);
    expect(result.multipliers.map((row) => row.multiplier)).toEqual([-1, 0, 1]);
    for (const row of result.multipliers) {
      expect(row.answers.map((answer) => answer.prompt_index)).toEqual([0, 1]);
      expect(row.mmlu_accuracy).toBeNull();
    }
    // The planted direction is the judge's trait: steering up scores higher than steering down.
    const [down, , up] = result.multipliers;
    expect(up?.trait_score.mean).toBeGreaterThan(down?.trait_score.mean as number);
    expect(result.recommended.min).toBeLessThanOrEqual(0);
    expect(result.recommended.max).toBeGreaterThanOrEqual(0);
    expect(result.margins).toEqual({ max_coherence_drop: 2, max_mmlu_drop: 5 });
    expect(result.mmlu).toEqual({ questions: 0, shots: 0, note: "no MMLU questions were asked" });
    expect(result.calibration).toBeNull();
  });

  it("is metered to its caller as an evaluation of the model", async () => {
    const { key, model, accountId, evaluation } = await evaluated();
    // One row, keyed by the evaluation: the cron and the reads that may settle it send the same.
    const [metered] = await usageRows(accountId, 1);
    expect(metered?.requestId).toBe(evaluation.id);
    const usage = (await (await call("/v1/usage", { key })).json()) as UsageList;
    expect(usage.data).toEqual([
      expect.objectContaining({ model: model.id, kind: "evaluation", requests: 1 }),
    ]);
    const [row] = usage.data;
    // Every answer runs to max_tokens on the test model; the judge, the prompts and KL are read.
    expect(row?.completion_tokens).toBe(3 * QUICK.prompts.length * QUICK.max_tokens);
    expect(row?.prompt_tokens).toBeGreaterThan(0);
  });

  it("gives the trait its quality card, shown on the model and in the list", async () => {
    const { key, model, evaluation, result } = await evaluated();
    const card = qualityCard(evaluation.id, evaluation.created, result);
    const shown = (await (
      await call(`/v1/steerable-models/${model.id}`, { key })
    ).json()) as SteerableModel;
    expect(shown.quality).toEqual({ cheerful: card });
    const listed = (await (await call("/v1/steerable-models", { key })).json()) as {
      data: SteerableModel[];
    };
    expect(listed.data[0]?.quality).toEqual({ cheerful: card });
    // A later evaluation of the trait gives the card anew.
    const { id } = await createEvaluation(key, { model: model.id, ...QUICK, max_tokens: 4 });
    const later = await waitForEvaluation(key, id);
    const again = (await (
      await call(`/v1/steerable-models/${model.id}`, { key })
    ).json()) as SteerableModel;
    expect(again.quality.cheerful?.evaluation).toBe(later.id);
  });

  it("is recalibrated by people's ratings, the latest of an answer counting", async () => {
    const { key, model, evaluation, result } = await evaluated();
    const judged = (multiplier: number, prompt: number) =>
      result.multipliers.find((row) => row.multiplier === multiplier)?.answers[prompt]
        ?.judge_score as number;
    const ratings = [
      { multiplier: -1, prompt_index: 0, score: 1 },
      { multiplier: 0, prompt_index: 1, score: 5 },
      { multiplier: 1, prompt_index: 0, score: 9 },
    ];
    const first = await rate(key, evaluation.id, ratings);
    expect(first.status).toBe(200);
    // Rated again: the later score replaces the earlier one.
    const second = await rate(key, evaluation.id, [{ multiplier: -1, prompt_index: 0, score: 0 }]);
    const rated = (await second.json()) as Evaluation;
    expect(evaluationSchema.parse(rated)).toEqual(rated);
    const calibration = rated.result?.calibration;
    expect(calibration).toMatchObject({ ratings: 3 });
    expect(calibration?.mean_absolute_error).toBeCloseTo(
      (Math.abs(judged(-1, 0) - 0) + Math.abs(judged(0, 1) - 5) + Math.abs(judged(1, 0) - 9)) / 3,
    );
    if (calibration?.applied) {
      const { slope, intercept } = calibration as { slope: number; intercept: number };
      const answer = rated.result?.multipliers[2]?.answers[1];
      const expected = Math.min(10, Math.max(0, intercept + slope * (answer?.judge_score ?? 0)));
      expect(answer?.trait_score).toBeCloseTo(expected);
    }
    // Kept: a later read has them, and so has the trait's card.
    expect((await getEvaluation(key, evaluation.id)).result?.calibration).toEqual(calibration);
    expect((await stored(evaluation.id))?.ratings).toHaveLength(3);
    const shown = (await (
      await call(`/v1/steerable-models/${model.id}`, { key })
    ).json()) as SteerableModel;
    expect(shown.quality.cheerful?.calibration).toEqual(calibration);
  });

  it("refuses a rating of an answer it does not have, naming the field", async () => {
    const { key, evaluation } = await evaluated();
    const good = { multiplier: 1, prompt_index: 0, score: 5 };
    const noMultiplier = await rate(key, evaluation.id, [good, { ...good, multiplier: 7 }]);
    const error = await expectRefused(noMultiplier, 400, "ratings[1].multiplier");
    expect(error.message).toContain("no multiplier 7");
    const noPrompt = await rate(key, evaluation.id, [{ ...good, prompt_index: 2 }]);
    await expectRefused(noPrompt, 400, "ratings[0].prompt_index");
    await expectRefused(await rate(key, evaluation.id, []), 400, "ratings");
    // Nothing of a refused request was kept.
    expect((await stored(evaluation.id))?.ratings).toEqual([]);
  });

  it("is listed, newest first, and deleted", async () => {
    const { key, model, evaluation } = await evaluated();
    const second = await createEvaluation(key, { model: model.id, ...QUICK });
    const page = async (query = "") =>
      (await (await call(`/v1/evaluations${query}`, { key })).json()) as {
        object: string;
        data: Evaluation[];
      };
    const listed = await page();
    expect(listed.object).toBe("list");
    expect(listed.data.map((item) => item.id)).toEqual([second.id, evaluation.id]);
    for (const item of listed.data) expect(evaluationSchema.parse(item)).toEqual(item);
    expect((await page("?limit=1&offset=1")).data.map((item) => item.id)).toEqual([evaluation.id]);
    const deleted = await call(`/v1/evaluations/${evaluation.id}`, { key, method: "DELETE" });
    expect(await deleted.json()).toEqual({
      id: evaluation.id,
      object: "evaluation",
      deleted: true,
    });
    await expectRefused(await call(`/v1/evaluations/${evaluation.id}`, { key }), 404, "id");
    expect(await stored(evaluation.id)).toBeUndefined();
  });

  it("stops its job on the node when deleted before it ends", async () => {
    const { accountId, key } = await newAccount();
    const model = await plantedModel(accountId);
    const { id } = await createEvaluation(key, { model: model.id, ...SLOW });
    const [row] = await db.select().from(evaluations).where(eq(evaluations.id, id));
    const early = await rate(key, id, [{ multiplier: 1, prompt_index: 0, score: 5 }]);
    await expectRefused(early, 409, "id");
    await call(`/v1/evaluations/${id}`, { key, method: "DELETE" });
    await vi.waitFor(async () => {
      const job = (await (
        await nodeFetch(`/v1/evaluations/${row?.jobId}`)
      ).json()) as NodeEvaluationJob;
      expect(job.status).toBe("cancelled");
    });
  });

  it("is another account's to read, rate and delete: 404 to everyone else", async () => {
    const { evaluation, model } = await evaluated();
    const stranger = await newAccount();
    const paths = [
      [`/v1/evaluations/${evaluation.id}`, "GET"],
      [`/v1/evaluations/${evaluation.id}`, "DELETE"],
    ] as const;
    for (const [path, method] of paths) {
      await expectRefused(await call(path, { key: stranger.key, method }), 404, "id");
    }
    const ratings = [{ multiplier: 1, prompt_index: 0, score: 5 }];
    await expectRefused(await rate(stranger.key, evaluation.id, ratings), 404, "id");
    const listed = (await (await call("/v1/evaluations", { key: stranger.key })).json()) as {
      data: unknown[];
    };
    expect(listed.data).toEqual([]);
    const onTheirModel = await post("/v1/evaluations", { model: model.id, ...QUICK }, stranger.key);
    await expectRefused(onTheirModel, 404, "model");
  });

  it("needs a ready model of the caller's and one of its traits", async () => {
    const { accountId, key } = await newAccount();
    const ready = await plantedModel(accountId);
    const training = await plantedModel(accountId, "training");
    const refused = (body: object) => post("/v1/evaluations", { ...QUICK, ...body }, key);
    await expectRefused(await refused({ model: "sm_made_up" }), 404, "model");
    await expectRefused(await refused({ model: training.id }), 409, "model");
    const wrongTrait = await refused({ model: ready.id, trait: "gloomy" });
    expect((await expectRefused(wrongTrait, 400, "trait")).message).toContain("cheerful");
    // What the node refuses is the caller's field: a prompt past the test model's context.
    const long = await refused({ model: ready.id, prompts: ["Hi", "a ".repeat(999)] });
    await expectRefused(long, 400, "prompts[1]");
    expect(await db.select().from(evaluations).where(eq(evaluations.accountId, accountId))).toEqual(
      [],
    );
  });

  it("honours Idempotency-Key: a retry answers the first evaluation", async () => {
    const { accountId, key } = await newAccount();
    const model = await plantedModel(accountId);
    const body = { model: model.id, ...QUICK };
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await post("/v1/evaluations", body, key, headers);
    const retry = await post("/v1/evaluations", body, key, headers);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(((await retry.json()) as Evaluation).id).toBe(((await first.json()) as Evaluation).id);
  });
});

describe("an evaluation's job", () => {
  it("is submitted again when its node lost it", async () => {
    const { accountId, key } = await newAccount();
    const model = await plantedModel(accountId);
    const { id } = await createEvaluation(key, { model: model.id, ...QUICK });
    await db.update(evaluations).set({ jobId: "evaluation-gone" }).where(eq(evaluations.id, id));
    await waitForEvaluation(key, id);
    const [row] = await db.select().from(evaluations).where(eq(evaluations.id, id));
    expect(row).toMatchObject({ attempts: 2, error: null });
  });

  it("ends as cancelled when its node cancelled it", async () => {
    const { accountId, key } = await newAccount();
    const model = await plantedModel(accountId);
    const { id } = await createEvaluation(key, { model: model.id, ...SLOW });
    const [row] = await db.select().from(evaluations).where(eq(evaluations.id, id));
    await nodeFetch(`/v1/evaluations/${row?.jobId}`, { method: "DELETE" });
    const cancelled = await waitForEvaluation(key, id, "cancelled");
    expect(cancelled.failure_reason).toBe("its GPU node cancelled the job");
  });

  it("runs to its end by the cron, nobody reading it", async () => {
    const { accountId, key } = await newAccount();
    const model = await plantedModel(accountId);
    const { id } = await createEvaluation(key, { model: model.id, ...QUICK });
    const statusNow = async () => {
      const context = createExecutionContext();
      await worker.scheduled(createScheduledController(), env, context);
      await waitOnExecutionContext(context);
      const [row] = await db.select().from(evaluations).where(eq(evaluations.id, id));
      return row?.status;
    };
    await vi.waitFor(async () => expect(await statusNow()).toBe("succeeded"), {
      timeout: 30_000,
      interval: 200,
    });
  });
});

describe("MMLU", () => {
  const files = inject("mmluFiles");

  function upload(name: string, csv: string, token = OPERATOR_TOKEN, type = "text/csv") {
    // As bytes: call() would send a string body as JSON.
    const body = new TextEncoder().encode(csv);
    return call(`/v1/mmlu/${name}`, {
      method: "PUT",
      key: token,
      body,
      headers: { "content-type": type },
    });
  }

  it("is none until loaded: an evaluation says so, and why", async () => {
    const { result } = await evaluated({ ...QUICK, mmlu: undefined });
    expect(result.mmlu).toEqual({ questions: 0, shots: 0, note: NO_MMLU_NOTE });
    for (const row of result.multipliers) expect(row.mmlu_accuracy).toBeNull();
  });

  it("is loaded by the operator, file by file, each row checked", async () => {
    for (const [name, csv] of Object.entries(files)) {
      const response = await upload(name, csv);
      expect(response.status, await response.clone().text()).toBe(200);
      const { subject, split } = parseMmluFileName(name) ?? {};
      expect(await response.json()).toEqual({
        object: "mmlu_file",
        subject,
        split,
        questions: parseMmluCsv(subject as string, csv).length,
      });
      expect(await (await env.VECTORS.get(`mmlu/${split}/${subject}.csv`))?.text()).toBe(csv);
    }
    const listed = await call("/v1/mmlu", { key: OPERATOR_TOKEN });
    expect(await listed.json()).toEqual({
      object: "list",
      data: ["abstract_algebra", "anatomy", "astronomy"].map((subject) => ({
        object: "mmlu_subject",
        subject,
        questions: {
          test: parseMmluCsv(subject, files[`${subject}_test.csv`] as string).length,
          dev: 5,
        },
      })),
    });
  });

  it("refuses a malformed file naming its row, a name not the release's, and any other caller", async () => {
    const { key } = await newAccount();
    const good = "What is 1 + 1?,1,2,3,4,B\n";
    const badRow = await upload("anatomy_dev.csv", `${good}Half a row,1,2\n`);
    const error = await expectRefused(badRow, 400, "body");
    expect(error.message).toContain("row 2 of anatomy");
    await expectRefused(await upload("anatomy_val.csv", good), 400, "file");
    await expectRefused(
      await upload("anatomy_dev.csv", good, OPERATOR_TOKEN, "text/plain"),
      415,
      "content-type",
    );
    expect((await upload("anatomy_dev.csv", good, key)).status).toBe(401);
    expect((await call("/v1/mmlu", { key })).status).toBe(401);
    // The loaded file stays as it was.
    const kept = await env.VECTORS.get("mmlu/dev/anatomy.csv");
    expect(await kept?.text()).toBe(files["anatomy_dev.csv"]);
  });

  it("once loaded, is asked: the shared subset, after each subject's worked examples", async () => {
    const { evaluation, result } = await evaluated({ ...QUICK, mmlu: { questions: 4, shots: 1 } });
    expect(result.mmlu).toEqual({ questions: 4, shots: 1, note: null });
    for (const row of result.multipliers) {
      expect(row.mmlu_accuracy).toBeGreaterThanOrEqual(0);
      expect(row.mmlu_accuracy).toBeLessThanOrEqual(1);
    }
    const split = (suffix: string) =>
      new Map<string, MmluQuestion[]>(
        Object.entries(files)
          .filter(([name]) => name.endsWith(suffix))
          .map(([name, csv]) => {
            const subject = name.slice(0, -suffix.length);
            return [subject, parseMmluCsv(subject, csv)];
          }),
      );
    const questions = selectMmluQuestions(split("_test.csv"), 4);
    const subjects = [...new Set(questions.map((question) => question.subject))];
    const dev = split("_dev.csv");
    expect((await stored(evaluation.id))?.request.mmlu).toEqual({
      shots: 1,
      questions,
      examples: subjects.map((subject) => dev.get(subject)?.[0]),
    });
  });
});
