// What condition calibration reads of each example: the mean of its hidden states over all its
// tokens at each candidate layer, as a request's condition reads its prompt at runtime. Examples
// are captured a few at a time and each reduced to its means at once, so that what is held is a
// row per example and layer, not one per token.
import type { Engine } from "../engine/engine.ts";
import { meanRow } from "../extraction/pca.ts";

/**
 * Floats of captured states one capture call may hold (256 MiB: 500 tokens at 30 layers of an 8B
 * Llama, 4096 wide); an example larger than that goes alone.
 */
const FLOATS_PER_CAPTURE = 64 * 1024 * 1024;

/** Layer -> a mean state per text, in the texts' order. */
export type MeanStates = Map<number, Float32Array[]>;

export async function meanStates(
  engine: Engine,
  texts: readonly number[][],
  layers: readonly number[],
): Promise<MeanStates> {
  const width = engine.model.metadata.embeddingSize;
  const means: MeanStates = new Map(layers.map((layer) => [layer, []]));
  for (const chunk of chunks(texts, layers.length * width)) {
    const captured = await engine.captureTokens(chunk, { layers, allTokens: true });
    for (const text of captured) {
      for (const layer of layers) {
        const states = text.states.get(layer) as Float32Array;
        means.get(layer)?.push(Float32Array.from(meanRow(states, width)));
      }
    }
  }
  return means;
}

/** The texts in turns whose states, `floatsPerToken` a token, fit FLOATS_PER_CAPTURE. */
function chunks(texts: readonly number[][], floatsPerToken: number): number[][][] {
  const turns: number[][][] = [];
  let turn: number[][] = [];
  let floats = 0;
  for (const text of texts) {
    const size = text.length * floatsPerToken;
    if (turn.length > 0 && floats + size > FLOATS_PER_CAPTURE) {
      turns.push(turn);
      turn = [];
      floats = 0;
    }
    turn.push(text);
    floats += size;
  }
  if (turn.length > 0) turns.push(turn);
  return turns;
}
