// Extraction jobs (jobs.ts's queue, run beside generation on the engine's own capture context): a
// finished job's vector goes into the node's vector store, so `steering` can name it by its id.
import { randomUUID } from "node:crypto";
import { encodeControlVector } from "../../shared/control-vector.ts";
import type { ExtractionJob, ExtractionMethod } from "../../shared/node-api/extractions.ts";
import type { LayerSelection } from "../../shared/node-api/layers.ts";
import type { Engine } from "../engine/engine.ts";
import type { ContrastPair } from "../extraction/dataset.ts";
import { extractControlVector } from "../extraction/extract.ts";
import { Jobs, type JobsOptions } from "./jobs.ts";
import type { VectorStore } from "./vector-store.ts";

export interface JobInput {
  pairs: ContrastPair[];
  method: ExtractionMethod;
  /** Left out: chosen by measurement. */
  layers: LayerSelection | undefined;
}

export type ExtractionJobsOptions = JobsOptions;

export class ExtractionJobs extends Jobs<ExtractionJob, JobInput> {
  constructor(engine: Engine, store: VectorStore, options: ExtractionJobsOptions = {}) {
    super(
      "extraction",
      (job, input, signal) => extract(engine, store, job, input, signal),
      options,
    );
  }

  /** Queues an extraction of `input`: answers the job, queued. */
  start(input: JobInput): ExtractionJob {
    return this.submit(
      {
        id: `extraction-${randomUUID()}`,
        object: "extraction",
        status: "queued",
        created: Math.floor(this.now() / 1000),
        method: input.method,
        progress: { done: 0, total: input.pairs.length },
        vector_id: null,
        report: null,
        layer_choice: null,
        error: null,
      },
      input,
    );
  }
}

/** Extracts the vector, stores it, and fills in the job. */
async function extract(
  engine: Engine,
  store: VectorStore,
  job: ExtractionJob,
  input: JobInput,
  signal: AbortSignal,
): Promise<void> {
  const { vector, report, choice } = await extractControlVector(engine, input.pairs, {
    method: input.method,
    layers: input.layers,
    signal,
    onProgress: (done, total) => {
      job.progress = { done, total };
    },
  });
  if (signal.aborted) return;
  const stored = await store.put(encodeControlVector(vector));
  // Cancelled while the vector was written: the vector stays, the job stays cancelled.
  if (signal.aborted) return;
  job.progress = { done: job.progress.total, total: job.progress.total };
  job.vector_id = stored.id;
  job.report = report.map((layer) => ({
    layer: layer.layer,
    separation: layer.separation,
    explained_variance: layer.explainedVariance,
    mean_gap: layer.meanGap,
  }));
  job.layer_choice = choice;
}
