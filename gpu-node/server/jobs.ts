// Long jobs held in memory (extractions, evaluations): a FIFO run one at a time beside generation,
// each cancellable through an AbortSignal. A job is a plain object its kind's work fills in as it
// goes; this queue owns its status. Finished jobs are kept a while for their clients to read, then
// forgotten.
import { ApiError } from "../../shared/http/api-error.ts";
import { EngineError } from "../engine/errors.ts";

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface Job {
  id: string;
  status: JobStatus;
  error: { message: string; code: string } | null;
}

/** A kind's work: fills in the job as it runs; resolves once done, throws when it fails. */
export type JobWork<J extends Job, I> = (job: J, input: I, signal: AbortSignal) => Promise<void>;

export interface JobsOptions {
  /** How long a finished job stays readable, in ms (default an hour). */
  retentionMs?: number;
  /** The most finished jobs kept; past it the oldest go first (default 256). */
  maxFinished?: number;
  /** The clock, in ms (default Date.now). */
  now?: () => number;
}

interface Entry<J, I> {
  job: J;
  input: I | null;
  abort: AbortController;
}

export class Jobs<J extends Job, I> {
  private readonly entries = new Map<string, Entry<J, I>>();
  private readonly queue: Entry<J, I>[] = [];
  /** Finished job ids to when they finished, oldest first. */
  private readonly finished = new Map<string, number>();
  private running = false;
  private readonly retentionMs: number;
  private readonly maxFinished: number;
  readonly now: () => number;

  constructor(
    /** The kind's name, as a missing job's 404 says it ("extraction"). */
    private readonly kind: string,
    private readonly work: JobWork<J, I>,
    options: JobsOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
    this.maxFinished = options.maxFinished ?? 256;
    this.now = options.now ?? Date.now;
  }

  /** Queues a job (its status "queued"); answers it as it is now. */
  submit(job: J, input: I): J {
    const entry: Entry<J, I> = { job, input, abort: new AbortController() };
    this.entries.set(job.id, entry);
    this.queue.push(entry);
    const queued = snapshot(job);
    void this.pump();
    return queued;
  }

  get(id: string): J {
    return snapshot(this.entry(id).job);
  }

  /** Cancels a queued or running job; a finished one is left as it is. */
  cancel(id: string): J {
    const entry = this.entry(id);
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
  counts(): Record<JobStatus, number> {
    this.evict();
    const counts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const { job } of this.entries.values()) counts[job.status]++;
    return counts;
  }

  /** Cancels everything (the node is stopping). */
  close(): void {
    for (const { job } of [...this.entries.values()]) this.cancel(job.id);
  }

  private entry(id: string): Entry<J, I> {
    this.evict();
    const entry = this.entries.get(id);
    if (!entry) {
      throw new ApiError(
        404,
        `no ${this.kind} ${JSON.stringify(id)}`,
        `${this.kind}_not_found`,
        "id",
      );
    }
    return entry;
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

  private async run(entry: Entry<J, I>): Promise<void> {
    const { job, input, abort } = entry;
    entry.input = null;
    if (!input || job.status !== "queued") return;
    job.status = "running";
    try {
      await this.work(job, input, abort.signal);
      if (abort.signal.aborted) return;
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

  /** A job finishes once: a cancel that lands while its work completes keeps its status. */
  private finish(job: J, status: "succeeded" | "failed" | "cancelled"): void {
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
function snapshot<J>(job: J): J {
  return structuredClone(job);
}
