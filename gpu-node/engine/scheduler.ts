// Admission: which lane runs a request. A request joins the busiest lane with a free sequence slot
// (the more requests share a decode, the more tokens each forward pass yields), else waits in
// arrival order. Lanes are created on first need, up to the configured number.
import type { Generation } from "./generation.ts";
import { Lane } from "./lane.ts";
import type { NativeContext } from "./native.ts";

export interface SchedulerOptions {
  lanes: number;
  sequencesPerLane: number;
  batchSize: number;
  createContext: () => NativeContext;
}

export class Scheduler {
  private readonly lanes: Lane[] = [];
  private readonly waiting: Generation[] = [];

  constructor(private readonly options: SchedulerOptions) {}

  get queueDepth(): number {
    return this.waiting.length;
  }

  get activeRequests(): number {
    return this.lanes.reduce((n, lane) => n + lane.active, 0);
  }

  /** Sequence slots free for a new request, lanes not yet created included. */
  get freeSequences(): number {
    const { lanes, sequencesPerLane } = this.options;
    return Math.max(0, lanes * sequencesPerLane - this.activeRequests);
  }

  submit(generation: Generation): void {
    this.waiting.push(generation);
    this.admitWaiting();
  }

  /** Cancels every request, waiting or running, and frees the lanes' contexts. */
  async close(): Promise<void> {
    for (const generation of this.waiting.splice(0)) {
      generation.finish("cancelled");
      generation.sampler.free();
    }
    await Promise.all(this.lanes.splice(0).map((lane) => lane.close()));
  }

  private admitWaiting(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const generation = this.waiting[i] as Generation;
      const lane = generation.finished ? null : this.laneFor();
      if (generation.finished || lane) {
        this.waiting.splice(i, 1);
        if (lane) lane.admit(generation);
        else generation.sampler.free(); // cancelled while it waited
      } else {
        i++;
      }
    }
  }

  private laneFor(): Lane | null {
    const open = this.lanes.filter((l) => !l.full).sort((a, b) => b.active - a.active);
    if (open[0]) return open[0];
    if (this.lanes.length < this.options.lanes) {
      const { sequencesPerLane, batchSize, createContext } = this.options;
      const lane = new Lane(createContext(), sequencesPerLane, batchSize, () =>
        this.admitWaiting(),
      );
      this.lanes.push(lane);
      return lane;
    }
    return null;
  }
}
