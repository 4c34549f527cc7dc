// Extraction jobs held in memory: a FIFO run one at a time beside generation (the engine's capture
// context is its own), each cancellable through an AbortSignal. A finished job's vector goes into
// the node's vector store, so `steering` can name it by its id. Finished jobs are kept a while for
// their clients to read, then forgotten.
import { randomUUID } from "node:crypto";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import type { ExtractionJob, ExtractionMethod } from "../../shared/node-api/extractions.ts";
import type { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import type { ContrastPair } from "../extraction/dataset.ts";
import { extractControlVector } from "../extraction/extract.ts";
import type { VectorStore } from "./vector-store.ts";

export interface JobInput {
  pairs: ContrastPair[];
  method: ExtractionMethod;
  layers: number[];
}

export interface ExtractionJobsOptions {
  /** How long a finished job stays readable, in ms (default an hour). */
  retentionMs?: number;
  /** The most finished jobs kept; past it the oldest go first (default 256). */
  maxFinished?: number;
  /** The clock, in ms (default Date.now). */
  now?: () => number;
}

interface Entry {
  job: ExtractionJob;
  input: JobInput | null;
  abort: AbortController;
}

export class ExtractionJobs {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  /** Finished job ids to when they finished, oldest first. */
  private readonly finished = new Map<string, number>();
  private running = false;
  private readonly retentionMs: number;
  private readonly maxFinished: number;
  private readonly now: () => number;

  constructor(
    private readonly engine: Engine,
    private readonly store: VectorStore,
    options: ExtractionJobsOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
    this.maxFinished = options.maxFinished ?? 256;
    this.now = options.now ?? Date.now;
  }

  submit(input: JobInput): ExtractionJob {
    const job: ExtractionJob = {
      id: `extraction-${randomUUID()}`,
      object: "extraction",
      status: "queued",
      created: Math.floor(this.now() / 1000),
      method: input.method,
      progress: { done: 0, total: input.pairs.length },
      vector_id: null,
      report: null,
      error: null,
    };
    const entry: Entry = { job, input, abort: new AbortController() };
    this.entries.set(job.id, entry);
    this.queue.push(entry);
    const queued = snapshot(job);
    void this.pump();
    return queued;
  }

  get(id: string): ExtractionJob {
    this.evict();
    const entry = this.entries.get(id);
    if (!entry)
      throw new ApiError(404, `no extraction ${JSON.stringify(id)}`, "extraction_not_found", "id");
    return snapshot(entry.job);
  }

  /** Cancels a queued or running job; a finished one is left as it is. */
  cancel(id: string): ExtractionJob {
    this.get(id);
    const entry = this.entries.get(id) as Entry;
    const job = entry.job;
    if (job.status === "queued") {
      this.queue.splice(this.queue.indexOf(entry), 1);
      entry.input = null;
      this.finish(job, "cancelled");
    } else if (job.status === "running") {
      entry.abort.abort();
      this.finish(job, "cancelled");
    }
    return snapshot(job);
  }

  /** Jobs per status, for /metrics. */
  counts(): Record<ExtractionJob["status"], number> {
    this.evict();
    const counts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const { job } of this.entries.values()) counts[job.status]++;
    return counts;
  }

  /** Cancels everything (the node is stopping). */
  close(): void {
    for (const { job } of [...this.entries.values()]) this.cancel(job.id);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let entry = this.queue.shift(); entry; entry = this.queue.shift()) await this.run(entry);
    } finally {
      this.running = false;
    }
  }

  private async run(entry: Entry): Promise<void> {
    const { job, input, abort } = entry;
    entry.input = null;
    if (!input || job.status !== "queued") return;
    job.status = "running";
    try {
      const { vector, report } = await extractControlVector(this.engine, input.pairs, {
        method: input.method,
        layers: input.layers,
        signal: abort.signal,
        onProgress: (done, total) => {
          job.progress = { done, total };
        },
      });
      if (abort.signal.aborted) return;
      const stored = await this.store.put(encodeControlVector(vector));
      // Cancelled while the vector was written: the vector stays, the job stays cancelled.
      if (abort.signal.aborted) return;
      job.progress = { done: job.progress.total, total: job.progress.total };
      job.vector_id = stored.id;
      job.report = report.map((layer) => ({
        layer: layer.layer,
        separation: layer.separation,
        explained_variance: layer.explainedVariance,
        mean_gap: layer.meanGap,
      }));
      this.finish(job, "succeeded");
    } catch (error) {
      if (abort.signal.aborted) return;
      job.error =
        error instanceof EngineError || error instanceof ApiError
          ? { message: error.message, code: error.code }
          : { message: "internal error", code: "internal_error" };
      if (job.error.code === "internal_error") console.error(error);
      this.finish(job, "failed");
    }
  }

  /** A job finishes once: a cancel that lands while the vector is written keeps its status. */
  private finish(job: ExtractionJob, status: "succeeded" | "failed" | "cancelled"): void {
    if (this.finished.has(job.id)) return;
    job.status = status;
    this.finished.set(job.id, this.now());
    this.evict();
  }

  /** Forgets finished jobs past their retention, then the oldest past the count. */
  private evict(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [id, finishedAt] of this.finished) {
      if (finishedAt > cutoff && this.finished.size <= this.maxFinished) break;
      this.finished.delete(id);
      this.entries.delete(id);
    }
  }
}

/** The job as it is now: the live object changes under a response that serializes it later. */
function snapshot(job: ExtractionJob): ExtractionJob {
  return structuredClone(job);
}
