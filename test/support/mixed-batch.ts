// Several prompts decoded at once, each in its own sequence, straight on a native context:
// how row steering is compared with llama.cpp's own control vector (test/engine/row-steering.test.ts,
// and test/gpu/check.ts on a GPU, where the layer outputs live off the host). Each decode gets a fresh
// context, unless the batch is made to `reuse` one (then `close` it): row steering keeps its
// vectors on the device from one decode to the next.
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type DecodeRequest, type NativeContext, native } from "../../gpu-node/engine/native.ts";
import type { ComposedSteering } from "../../gpu-node/engine/steering.ts";

export class MixedBatch {
  private readonly tokenized: number[][];
  private kept: NativeContext | null = null;

  constructor(
    private readonly engine: Engine,
    prompts: readonly string[],
    private readonly threads = 1,
    private readonly reuse = false,
  ) {
    this.tokenized = prompts.map((prompt) => engine.model.tokenize(prompt));
  }

  /** Row steering's `rows` where every token has a vector of its own: `vectorOfToken(p, i)` for
   * token i of prompt p. */
  rowsOfTokens(vectorOfToken: (prompt: number, token: number) => number): Int32Array {
    return Int32Array.from(
      this.tokenized.flatMap((tokens, p) => tokens.map((_, i) => vectorOfToken(p, i))),
    );
  }

  /** How many tokens prompt p has. */
  length(p: number): number {
    return this.tokenized[p]?.length ?? 0;
  }

  close(): void {
    this.kept?.free();
    this.kept = null;
  }

  /** Row steering's `rows`: every token of prompt p gets vector `vectorOfPrompt[p]` (-1: none). */
  rowsOf(vectorOfPrompt: readonly number[]): Int32Array {
    return Int32Array.from(
      this.tokenized.flatMap((tokens, p) => tokens.map(() => vectorOfPrompt[p] ?? -1)),
    );
  }

  /** Decodes the prompts `which` together; the logits at each one's last token. */
  async lastLogits(
    which: readonly number[],
    rowSteering?: DecodeRequest["rowSteering"],
    controlVector?: ComposedSteering | null,
  ): Promise<Float32Array[]> {
    const batch = {
      tokens: [] as number[],
      positions: [] as number[],
      sequences: [] as number[],
      outputs: [] as number[],
    };
    for (const p of which) {
      const tokens = this.tokenized[p] ?? [];
      tokens.forEach((token, i) => {
        batch.tokens.push(token);
        batch.positions.push(i);
        batch.sequences.push(p);
        batch.outputs.push(i === tokens.length - 1 ? 1 : 0);
      });
    }
    const context = this.kept ?? this.newContext();
    if (this.reuse) this.kept = context;
    try {
      const result = await context.decode({
        tokens: Int32Array.from(batch.tokens),
        positions: Int32Array.from(batch.positions),
        sequences: Int32Array.from(batch.sequences),
        outputs: Uint8Array.from(batch.outputs),
        controlVector,
        rowSteering,
        logits: Int32Array.from(batch.outputs.flatMap((o, row) => (o ? [row] : []))),
      });
      return result.logits;
    } finally {
      if (this.reuse) for (const p of which) context.clearSequence(p);
      else context.free();
    }
  }

  private newContext(): NativeContext {
    return new (native().addon.Context)(this.engine.model.native, {
      contextSize: 256,
      batchSize: 64,
      sequences: this.tokenized.length,
      threads: this.threads,
      unifiedKv: true,
      cacheTypeK: "f32",
      cacheTypeV: "f32",
    });
  }
}
