// Evaluation jobs (jobs.ts's queue): a planned evaluation runs, its progress and the tokens it has
// decoded kept on the job, and its measurements set once it succeeds.
import { randomUUID } from "node:crypto";
import type { NodeEvaluationJob } from "../../shared/node-api/evaluations.ts";
import type { Engine } from "../engine/engine.ts";
import { type EvaluationPlan, runEvaluation } from "../evaluation/evaluate.ts";
import { Jobs, type JobsOptions } from "./jobs.ts";

export class EvaluationJobs extends Jobs<NodeEvaluationJob, EvaluationPlan> {
  constructor(engine: Engine, options: JobsOptions = {}) {
    super(
      "evaluation",
      async (job, plan, signal) => {
        job.measurements = await runEvaluation(engine, plan, {
          signal,
          onProgress: (progress) => {
            job.progress = progress;
          },
          onUsage: (prompt, completion) => {
            job.usage.prompt_tokens += prompt;
            job.usage.completion_tokens += completion;
          },
        });
      },
      options,
    );
  }

  /** Queues an evaluation: answers the job, queued. */
  start(plan: EvaluationPlan): NodeEvaluationJob {
    return this.submit(
      {
        id: `evaluation-${randomUUID()}`,
        object: "evaluation",
        status: "queued",
        created: Math.floor(this.now() / 1000),
        progress: { stage: null, done: 0, total: 0 },
        measurements: null,
        usage: { prompt_tokens: 0, completion_tokens: 0 },
        error: null,
      },
      plan,
    );
  }
}
