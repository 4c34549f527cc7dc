// Hidden-state capture: the output of chosen layers for a batch of texts, at each text's last token
// or at every token. Many texts go into each decode (one sequence each); a text longer than what is
// left of a batch continues in the next decode, its cache kept between the two.
import { EngineError } from "./errors.ts";
import type { DecodeRequest, DecodeResult, NativeContext } from "./native.ts";
import type { ComposedSteering } from "./steering.ts";

export interface CaptureOptions {
  /** 0-based layer indices; a layer's output is what a control vector at that index is added to.
   * Empty when only `logits` are wanted. */
  layers: readonly number[];
  /** Every token's state, not only the last token's. */
  allTokens?: boolean;
  /** Also return the logits at the captured tokens. */
  logits?: boolean;
  /** Capture under steering (what a steered request computes). */
  steering?: ComposedSteering | null;
  /** Called after each decode with the number of texts finished. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface CapturedText {
  tokens: number[];
  /** Layer -> states: embeddingSize floats for the last token, or tokens x embeddingSize. */
  states: Map<number, Float32Array>;
  /** With `logits`: one vocabulary-sized row per captured token. */
  logits: Float32Array[];
}

export interface CaptureShape {
  layerCount: number;
  embeddingSize: number;
  contextSize: number;
  /** KV cache tokens shared by the texts in flight. */
  cacheSize: number;
  batchSize: number;
  sequences: number;
}

/** A text being decoded: where it is, and the rows captured so far. */
interface InFlight {
  index: number;
  tokens: number[];
  cached: number;
  sequence: number;
  parts: Map<number, Float32Array[]>;
  logits: Float32Array[];
}

export async function captureHiddenStates(
  context: NativeContext,
  shape: CaptureShape,
  texts: readonly number[][],
  options: CaptureOptions,
): Promise<CapturedText[]> {
  const layers = checkLayers(options.layers, shape.layerCount, options.logits ?? false);
  checkTexts(texts, shape.contextSize);
  // llama.cpp computes the last layer only for tokens with outputs, so capturing it needs them.
  const outputsAtKept = (options.logits ?? false) || layers.includes(shape.layerCount - 1);
  const results: CapturedText[] = new Array(texts.length);
  const queue = texts.map((tokens, index) => ({ tokens, index }));
  const running: InFlight[] = [];
  const freeSequences = Array.from({ length: shape.sequences }, (_, i) => i);
  // A text enters only when the shared cache has room for all of it.
  const fits = (length: number) =>
    running.reduce((n, item) => n + item.tokens.length, 0) + length <= shape.cacheSize;
  let done = 0;
  // The capture context is shared: its vector is set by the first decode of every capture.
  let controlVector: ComposedSteering | null | undefined = options.steering ?? null;

  try {
    while (queue.length > 0 || running.length > 0) {
      if (options.signal?.aborted) throw options.signal.reason;
      while (freeSequences.length > 0 && queue[0] && fits(queue[0].tokens.length)) {
        const { tokens, index } = queue.shift() as { tokens: number[]; index: number };
        const sequence = freeSequences.shift() as number;
        running.push({ index, tokens, cached: 0, sequence, parts: new Map(), logits: [] });
      }
      const batch = buildBatch(running, shape.batchSize, options.allTokens ?? false, outputsAtKept);
      const result = await context.decode({
        ...batch.request,
        capture:
          layers.length > 0 ? { layers: Int32Array.from(layers), keep: batch.keep } : undefined,
        logits: options.logits ? batch.keptRows : undefined,
        controlVector,
      });
      controlVector = undefined;
      distribute(batch.slices, layers, result, shape.embeddingSize);
      for (const item of running.filter((item) => item.cached === item.tokens.length)) {
        results[item.index] = {
          tokens: item.tokens,
          states: joinParts(item.parts),
          logits: item.logits,
        };
        running.splice(running.indexOf(item), 1);
        context.clearSequence(item.sequence);
        freeSequences.push(item.sequence);
        done++;
      }
      options.onProgress?.(done, texts.length);
    }
  } finally {
    // Cancelled or failed midway: the next capture must find the cache empty.
    for (const item of running) context.clearSequence(item.sequence);
  }
  return results;
}

function checkLayers(layers: readonly number[], layerCount: number, logits: boolean): number[] {
  if (layers.length === 0 && !logits)
    throw new EngineError("invalid_request", "choose at least one layer or logits", "layers");
  for (const layer of layers) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= layerCount) {
      throw new EngineError(
        "layer_out_of_range",
        `layer ${layer} is out of range: this model has layers 0 to ${layerCount - 1}`,
        "layers",
      );
    }
  }
  return [...new Set(layers)];
}

function checkTexts(texts: readonly number[][], contextSize: number): void {
  texts.forEach((tokens, i) => {
    if (tokens.length === 0)
      throw new EngineError("invalid_request", `text ${i} is empty`, `texts[${i}]`);
    if (tokens.length > contextSize) {
      throw new EngineError(
        "context_overflow",
        `text ${i} is ${tokens.length} tokens; the context holds ${contextSize}`,
        `texts[${i}]`,
      );
    }
  });
}

/** Fills one batch from the texts in flight; records how many kept rows belong to each. */
function buildBatch(
  running: InFlight[],
  batchSize: number,
  allTokens: boolean,
  outputsAtKept: boolean,
) {
  const tokens: number[] = [];
  const positions: number[] = [];
  const sequences: number[] = [];
  const keep: number[] = [];
  const slices: { item: InFlight; kept: number }[] = [];
  for (const item of running) {
    const room = batchSize - tokens.length;
    if (room === 0) break;
    const chunk = item.tokens.slice(item.cached, item.cached + room);
    let kept = 0;
    chunk.forEach((token, i) => {
      const position = item.cached + i;
      const isKept = allTokens || position === item.tokens.length - 1;
      tokens.push(token);
      positions.push(position);
      sequences.push(item.sequence);
      keep.push(isKept ? 1 : 0);
      if (isKept) kept++;
    });
    item.cached += chunk.length;
    slices.push({ item, kept });
  }
  // Without kept outputs, one output at the end keeps the decode cheap.
  const outputs = outputsAtKept
    ? keep.slice()
    : keep.map((_, i) => (i === keep.length - 1 ? 1 : 0));
  const request: Omit<DecodeRequest, "capture"> = {
    tokens: Int32Array.from(tokens),
    positions: Int32Array.from(positions),
    sequences: Int32Array.from(sequences),
    outputs: Uint8Array.from(outputs),
  };
  const keptRows = Int32Array.from(keep.flatMap((k, i) => (k ? [i] : [])));
  return { request, keep: Uint8Array.from(keep), keptRows, slices };
}

/** Hands each text its rows of the decode's states and logits (kept rows are in batch order). */
function distribute(
  slices: { item: InFlight; kept: number }[],
  layers: number[],
  result: DecodeResult,
  embeddingSize: number,
): void {
  let row = 0;
  for (const { item, kept } of slices) {
    if (kept === 0) continue;
    layers.forEach((layer, l) => {
      const states = result.hidden[l] as Float32Array;
      const part = states.slice(row * embeddingSize, (row + kept) * embeddingSize);
      item.parts.set(layer, [...(item.parts.get(layer) ?? []), part]);
    });
    item.logits.push(...result.logits.slice(row, row + kept));
    row += kept;
  }
}

function joinParts(parts: Map<number, Float32Array[]>): Map<number, Float32Array> {
  const states = new Map<number, Float32Array>();
  for (const [layer, chunks] of parts) {
    const joined = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    states.set(layer, joined);
  }
  return states;
}
