// Admission: which lane runs a request. A request joins a lane that already steers the same way
// and has a free sequence slot (so it shares that lane's batches), else takes an empty lane, else
// waits in arrival order. Lanes are created on first need, up to the configured number.
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
      const lane = generation.finished ? null : this.laneFor(generation);
      if (generation.finished || lane) {
        this.waiting.splice(i, 1);
        if (lane) lane.admit(generation);
        else generation.sampler.free(); // cancelled while it waited
      } else {
        i++;
      }
    }
  }

  private laneFor(generation: Generation): Lane | null {
    const key = generation.steering?.key ?? null;
    const sameSteering = this.lanes.find((l) => l.active > 0 && l.canTake(key));
    if (sameSteering) return sameSteering;
    // An empty lane that already holds this steering avoids re-applying the vector.
    const empty = this.lanes.filter((l) => l.active === 0);
    const reuse = empty.find((l) => (l.steering?.key ?? null) === key) ?? empty[0];
    if (reuse) return reuse;
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
