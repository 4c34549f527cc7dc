// A lane is one llama.cpp context and the requests it runs together, whatever their steering
// (batch-steering.ts says how a batch mixes them; a conditional term's gate, conditions.ts, is
// asked along with its request's tokens, and told what the decode found). Continuous batching: a
// request joins or leaves between any two decodes.
import { batchSteering } from "./batch-steering.ts";
import type { ConditionGate } from "./conditions.ts";
import type { Generation } from "./generation.ts";
import type { NativeCondition, NativeContext, NativeSampler } from "./native.ts";

export class Lane {
  private readonly slots: (Generation | null)[];
  /** The key of the vector the context holds (null: none; undefined: unknown, set it). */
  private appliedKey: string | null | undefined = undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly context: NativeContext,
    sequences: number,
    private readonly batchSize: number,
    /** Called whenever a request leaves, so waiting ones can be admitted. */
    private readonly onSlotFreed: () => void,
  ) {
    this.slots = new Array(sequences).fill(null);
  }

  get active(): number {
    return this.slots.filter((g) => g !== null).length;
  }

  get full(): boolean {
    return !this.slots.includes(null);
  }

  admit(generation: Generation): void {
    const slot = this.slots.indexOf(null);
    if (slot === -1) throw new Error("lane is full");
    this.slots[slot] = generation;
    this.running ??= this.run();
  }

  /** Cancels what runs here, waits for the decode in flight, and frees the context. */
  async close(): Promise<void> {
    for (const generation of this.slots) generation?.finish("cancelled");
    await this.running;
    this.context.free();
  }

  /**
   * Decodes until the lane is empty: every step advances every request in it. The lane is idle
   * again (`running` null) in the same turn as the loop sees it empty, so a request admitted
   * after that starts a new loop; clearing it in a later callback would leave such a request
   * waiting for a loop that has ended. The first await lets admit() store the promise before
   * the loop can end.
   */
  private async run(): Promise<void> {
    await Promise.resolve();
    try {
      while (this.removeFinished()) {
        await this.step();
      }
    } finally {
      this.running = null;
    }
  }

  /** Frees the slots of finished requests; true while requests remain. */
  private removeFinished(): boolean {
    this.slots.forEach((generation, slot) => {
      if (generation?.finished) this.release(slot);
    });
    return this.active > 0;
  }

  private release(slot: number): void {
    const generation = this.slots[slot];
    this.slots[slot] = null;
    this.context.clearSequence(slot);
    generation?.sampler.free();
    this.onSlotFreed();
  }

  private async step(): Promise<void> {
    const batch = this.collectBatch();
    const steering = batchSteering(
      batch.members.map(({ generation, tokens }) => ({
        steering: generation.steering.composed,
        tokens,
      })),
    );
    const contextVector = steering.mode === "context" ? steering.vector : null;
    const key = contextVector?.key ?? null;
    // Setting a vector makes llama.cpp rebuild its compute graphs: only when it changes.
    const controlVector = this.appliedKey === key ? undefined : contextVector;
    try {
      const { sampled, conditions } = await this.context.decode({
        ...batch.arrays,
        controlVector,
        rowSteering: steering.mode === "rows" ? steering.rowSteering : undefined,
        conditions: batch.conditions.length > 0 ? batch.conditions : undefined,
        sample: batch.sample,
      });
      this.appliedKey = key;
      // Before the tokens drawn are taken: a gate that fired steers from the token drawn now.
      batch.gates.forEach(({ gate, generation }, i) => {
        const result = conditions[i];
        if (result && gate.learn(result, generation.completionTokens))
          generation.steering.recompose();
      });
      batch.members.forEach(({ generation, tokens, samples }, i) => {
        generation.cached += tokens;
        const token = sampled[batch.sampleIndex[i] ?? -1];
        if (samples && token !== undefined) generation.accept(token);
      });
    } catch (error) {
      this.appliedKey = undefined;
      for (const { generation } of batch.members) generation.fail(error);
    }
  }

  /**
   * One decode's worth of tokens: each request's next token, and prompt tokens in chunks up to the
   * batch size. A request whose prompt ends in this batch samples its first token from it.
   */
  private collectBatch() {
    const tokens: number[] = [];
    const positions: number[] = [];
    const sequences: number[] = [];
    const outputs: number[] = [];
    const sample: { sampler: NativeSampler; row: number }[] = [];
    const sampleIndex: number[] = [];
    const members: { generation: Generation; tokens: number; samples: boolean }[] = [];
    const conditions: NativeCondition[] = [];
    const gates: { gate: ConditionGate; generation: Generation }[] = [];

    const push = (generation: Generation, slot: number, chunk: number[]) => {
      const generating = generation.nextToken !== null;
      const promptEnds =
        generating || generation.cached + chunk.length === generation.promptTokens.length;
      const rows = chunk.map((_, i) => tokens.length + i);
      for (const gate of generation.steering.gates) {
        const asked = gate.ask(rows, generating ? { prompt: false } : { prompt: true, promptEnds });
        if (!asked) continue;
        conditions.push(asked);
        gates.push({ gate, generation });
      }
      chunk.forEach((token, i) => {
        tokens.push(token);
        positions.push(generation.cached + i);
        sequences.push(slot);
        outputs.push(promptEnds && i === chunk.length - 1 ? 1 : 0);
      });
      sampleIndex.push(promptEnds ? sample.length : -1);
      if (promptEnds) sample.push({ sampler: generation.sampler, row: tokens.length - 1 });
      members.push({ generation, tokens: chunk.length, samples: promptEnds });
    };

    // Requests already generating go first: one token each keeps their streams moving while a
    // long prompt is read in chunks.
    this.slots.forEach((generation, slot) => {
      if (generation?.nextToken != null) push(generation, slot, [generation.nextToken]);
    });
    // A prompt whose condition is still to be read waits for a batch that holds the rest of it
    // whole, where it can (conditions.ts), and prompts after it wait with it.
    let waiting = false;
    this.slots.forEach((generation, slot) => {
      const room = this.batchSize - tokens.length;
      if (!generation || generation.nextToken != null || generation.promptPending === 0) return;
      if (room === 0 || waiting) return;
      const pending = generation.promptPending;
      const fitsLater = pending <= this.batchSize - this.slots.length;
      if (pending > room && fitsLater && generation.steering.readsPrompt) {
        waiting = true;
        return;
      }
      const start = generation.cached;
      push(generation, slot, generation.promptTokens.slice(start, start + room));
    });

    return {
      arrays: {
        tokens: Int32Array.from(tokens),
        positions: Int32Array.from(positions),
        sequences: Int32Array.from(sequences),
        outputs: Uint8Array.from(outputs),
      },
      sample,
      sampleIndex,
      members,
      conditions,
      gates,
    };
  }
}
