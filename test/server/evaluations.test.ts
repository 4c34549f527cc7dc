// The node's evaluation jobs over HTTP, in process: queued with 202, polled to their measurements,
// cancelled, counted in /metrics; a request that could never run is a 400 or 404 naming the field.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { encodeControlVector } from "../../shared/control-vector.ts";
import type { NodeEvaluationJob } from "../../shared/node-api/evaluations.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import { readPlanted } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

let engine: Engine;
let dir: string;
let node: InProcessNode;
let vectorId: string;

beforeAll(async () => {
  engine = await loadTestEngine({ contextSize: 1024, batchSize: 256 });
  dir = await mkdtemp(path.join(tmpdir(), "steer-evaluations-"));
  node = await openApp(engine, dir);
  const { cheerful } = await readPlanted(testModelPath, engine.model.metadata.layerCount);
  vectorId = (await node.store.put(encodeControlVector(cheerful))).id;
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

function post(body: unknown) {
  return node.app.request("/v1/evaluations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function poll(id: string): Promise<NodeEvaluationJob> {
  for (const started = Date.now(); Date.now() - started < 60_000; ) {
    const job = (await (
      await node.app.request(`/v1/evaluations/${id}`)
    ).json()) as NodeEvaluationJob;
    if (!["queued", "running"].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`evaluation ${id} did not finish`);
}

const small = {
  trait: "cheerful",
  multipliers: [-1, 1],
  prompts: ["Describe your ideal weekend."],
  max_tokens: 6,
};

describe("an evaluation job", () => {
  it("is queued (202), runs, and succeeds with its measurements and usage", async () => {
    const response = await post({ vector_id: vectorId, ...small });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as NodeEvaluationJob;
    expect(queued).toMatchObject({ object: "evaluation", status: "queued", measurements: null });
    const job = await poll(queued.id);
    expect(job.status).toBe("succeeded");
    expect(job.progress.done).toBe(job.progress.total);
    const rows = job.measurements?.multipliers ?? [];
    expect(rows.map((row) => row.multiplier)).toEqual([-1, 0, 1]);
    expect(rows[0]?.answers[0]?.judge_score).toBeLessThan(
      rows[2]?.answers[0]?.judge_score as number,
    );
    expect(job.measurements).toMatchObject({ descriptor: "cheerful", mmlu: null, max_tokens: 6 });
    expect(job.usage.completion_tokens).toBe(3 * 6);
    expect(job.usage.prompt_tokens).toBeGreaterThan(0);
    const metrics = await (await node.app.request("/metrics")).text();
    expect(metrics).toMatch(/^steer_evaluation_jobs\{status="succeeded"\} 1$/m);
  });

  it("asks MMLU questions at every multiplier when given them", async () => {
    const question = {
      subject: "astronomy",
      question: "Which planet is largest?",
      choices: ["Mars", "Jupiter", "Venus", "Mercury"],
      answer: "B",
    };
    const mmlu = {
      shots: 1,
      questions: [question, question],
      examples: [{ ...question, answer: "B" }],
    };
    const job = await poll(
      ((await (await post({ vector_id: vectorId, ...small, mmlu })).json()) as NodeEvaluationJob)
        .id,
    );
    expect(job.status).toBe("succeeded");
    expect(job.measurements?.mmlu).toEqual({ questions: 2, shots: 1 });
    // The same question twice: both right or both wrong at each multiplier.
    for (const row of job.measurements?.multipliers ?? [])
      expect([0, 2]).toContain(row.mmlu_correct);
  });

  it("is cancelled by DELETE", async () => {
    const queued = (await (
      await post({ vector_id: vectorId, trait: "cheerful", max_tokens: 64 })
    ).json()) as NodeEvaluationJob;
    const cancelled = await node.app.request(`/v1/evaluations/${queued.id}`, { method: "DELETE" });
    expect(((await cancelled.json()) as NodeEvaluationJob).status).toBe("cancelled");
    expect((await poll(queued.id)).status).toBe("cancelled");
  });
});

describe("a request that could never run", () => {
  const refusal = async (body: unknown) => {
    const response = await post(body);
    return { status: response.status, error: ((await response.json()) as ApiErrorBody).error };
  };

  it("names the field at fault", async () => {
    expect(await refusal({ vector_id: "f".repeat(64), trait: "x" })).toMatchObject({
      status: 404,
      error: { code: "vector_not_found", param: "vector_id" },
    });
    const long = { vector_id: vectorId, trait: "x", prompts: ["ok", "word ".repeat(1500)] };
    expect(await refusal(long)).toMatchObject({ status: 400, error: { param: "prompts[1]" } });
    expect(await refusal({ vector_id: vectorId, trait: "x", multipliers: [1, 1] })).toMatchObject({
      status: 400,
      error: { param: "multipliers" },
    });
    expect(await refusal({ vector_id: vectorId, trait: "x", max_tokens: 257 })).toMatchObject({
      status: 400,
      error: { param: "max_tokens" },
    });
    expect(await refusal({ vector_id: vectorId, trait: "x", judge: "gpt" })).toMatchObject({
      status: 400,
      error: { code: "unknown_field", param: "judge" },
    });
    const answerless = {
      subject: "astronomy",
      question: "q",
      choices: ["a", "b", "c", "d"],
      answer: "E",
    };
    expect(
      await refusal({
        vector_id: vectorId,
        trait: "x",
        mmlu: { shots: 0, questions: [answerless], examples: [] },
      }),
    ).toMatchObject({ status: 400, error: { param: "mmlu.questions[0].answer" } });
    expect((await node.app.request("/v1/evaluations/evaluation-none")).status).toBe(404);
  });
});
