// Several prompts decoded at once, each in its own sequence, straight on a fresh native context:
// how row steering is compared with llama.cpp's own control vector (test/engine/row-steering.test.ts,
// and test/gpu/check.ts on a GPU, where the layer outputs live off the host).
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type DecodeRequest, native } from "../../gpu-node/engine/native.ts";
import type { ComposedSteering } from "../../gpu-node/engine/steering.ts";

export class MixedBatch {
  private readonly tokenized: number[][];

  constructor(
    private readonly engine: Engine,
    prompts: readonly string[],
    private readonly threads = 1,
  ) {
    this.tokenized = prompts.map((prompt) => engine.model.tokenize(prompt));
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
    const context = new (native().addon.Context)(this.engine.model.native, {
      contextSize: 256,
      batchSize: 64,
      sequences: this.tokenized.length,
      threads: this.threads,
      unifiedKv: true,
      cacheTypeK: "f32",
      cacheTypeV: "f32",
    });
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
      context.free();
    }
  }
}
