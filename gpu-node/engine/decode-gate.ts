// How many decodes may run at once across the engine's contexts. On the CPU every decode already
// uses all cores, and llama.cpp's worker threads spin while they wait for each other: two decodes
// at once oversubscribe the cores and both crawl. So on the CPU lanes take turns (one at a time);
// on a GPU their decodes may overlap.
import type { NativeContext } from "./native.ts";

export class DecodeGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  /** The same context, its decodes passing through this gate. */
  guard(context: NativeContext): NativeContext {
    return {
      decode: (request) => this.run(() => context.decode(request)),
      clearSequence: (sequence) => context.clearSequence(sequence),
      free: () => context.free(),
    };
  }

  private async run<T>(decode: () => Promise<T>): Promise<T> {
    if (this.running >= this.capacity)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await decode();
    } finally {
      // Hand the slot straight to the next in line, in arrival order.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
