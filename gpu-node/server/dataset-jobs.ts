// Dataset jobs (jobs.ts's queue): a described trait's persona pairs written by the node's generator,
// the tokens it spends kept on the job as they go, and the usable pairs set once it succeeds.
import { randomUUID } from "node:crypto";
import type { DatasetJob } from "../../shared/node-api/datasets.ts";
import { generatePairs } from "../datasets/generate.ts";
import type { PairGenerator } from "../datasets/generator.ts";
import { Jobs, type JobsOptions } from "./jobs.ts";

export interface DatasetInput {
  generator: PairGenerator;
  description: string;
  pairs: number;
}

export class DatasetJobs extends Jobs<DatasetJob, DatasetInput> {
  constructor(options: JobsOptions = {}) {
    super(
      "dataset",
      async (job, { generator, ...request }, signal) => {
        job.pairs = await generatePairs(generator, request, {
          signal,
          onUsage: (usage) => {
            job.usage.prompt_tokens += usage.promptTokens;
            job.usage.completion_tokens += usage.completionTokens;
          },
        });
      },
      options,
    );
  }

  /** Queues the writing of `input.pairs` pairs: answers the job, queued. */
  start(input: DatasetInput): DatasetJob {
    return this.submit(
      {
        id: `dataset-${randomUUID()}`,
        object: "dataset",
        status: "queued",
        created: Math.floor(this.now() / 1000),
        generator: { kind: input.generator.kind, model: input.generator.model },
        pairs: null,
        usage: { prompt_tokens: 0, completion_tokens: 0 },
        error: null,
      },
      input,
    );
  }
}
