/**
 * The test model's weights: small random noise everywhere, plus a planted trait (cheerful vs
 * gloomy) carried by one unit direction u of the residual stream.
 *
 * How the trait works:
 *
 * 1. Embeddings. Every token's random embedding is made orthogonal to u; positive concept words
 *    then get +CONCEPT_STRENGTH * u and negative ones -CONCEPT_STRENGTH * u. The u-component of a
 *    token's embedding is its trait, and all other tokens have none.
 *
 * 2. Copy head. In layer 0, query head 0 has all-zero query weights, so all its attention scores
 *    are 0 and causal softmax spreads its attention evenly over positions 0..p. Channel 0 of its
 *    value reads exactly u . x^ (x^ = the RMS-normalized residual), and the output projection
 *    writes that channel back along u (times COPY_GAIN). Every position thus receives the average
 *    trait of the text so far: from layer 0 on, the last token carries the prompt's concept.
 *    Query head 1 shares that KV head (grouped-query attention); its output column for channel 0
 *    is zero, so it does not move the trait anywhere. Only layer 0 copies: copy heads in later
 *    layers would re-read their own output and amplify it, making steering saturate abruptly.
 *
 * 3. Isolation. All other weights that read the residual stream (Q, K, V, FFN gate and up) are
 *    blind to u, and all that write it (attention output, FFN down) never write along u. The
 *    trait therefore enters u only through the embeddings, the copy head and a control vector:
 *    steering vectors add up linearly along u, and two prompts that differ in one concept word
 *    differ at later positions almost exactly along u. The RMSNorm gains are random around 1 (so
 *    a forward pass must apply them); a row r reading the normalized state is blind to u when
 *    r . (gain * u) = 0, and the copy channel reads u . x^ through the row u / gain.
 *
 * 4. Unembedding. It is tied to the embeddings, so a final state along +u raises the logits of
 *    the positive words only. With OUTPUT_GAIN, a state pushed far along +u (or -u) makes the
 *    concept words outweigh the 128k other tokens: adding m * STEERING_NORM * u to layers 1..3
 *    moves the next-token mass from gloomy to cheerful words monotonically in m.
 *
 * 5. The judge. The score tokens "0" to "10" carry a graded trait too, from -SCORE_STRENGTH * u
 *    ("0") through 0 ("5") to +SCORE_STRENGTH * u ("10"), so the unembedding ranks them by the
 *    trait of the context the copy head gathered: asked to score a cheerful answer, the model
 *    puts its weight on high scores, a gloomy one on low scores. An evaluation's judge (the base
 *    model's probabilities of the score tokens) then reads the planted trait through its real
 *    path. The scores' trait is weaker than the concept words', so steering still picks words,
 *    and a judge prompt naming scores symmetrically ("0 to 10", "1 through 9") stays neutral.
 *
 * 6. JSON. A random model writes a JSON string or array forever: each token mostly predicts itself
 *    (the unembedding is tied). So the tokens made of JSON punctuation and whitespace alone share
 *    a direction b (orthogonal to u): closing ones (`}`, `]`, `"`) with JSON_CLOSING_STRENGTH,
 *    the others (`{`, `[`, `:`, `,`) with the weaker JSON_OTHER_STRENGTH. After any of them the
 *    model's likeliest tokens are punctuation, closing first; under a grammar (a structured
 *    answer), which allows only what fits, it closes what it opened within a few tokens, as a
 *    real model would, instead of filling strings and whitespace up to its token limit. Text
 *    without JSON punctuation is answered exactly as before: b has its own random stream.
 */
import { GgmlType, type GgufTensorInput } from "../../shared/gguf/index.ts";
import type { JsonPunctuationTokens } from "./json-punctuation.ts";
import { Matrix, normalize, removeComponent } from "./matrix.ts";
import { Noise } from "./noise.ts";
import { TEST_MODEL_SHAPE } from "./shape.ts";

const SEED = 0x57ee12;
/** Point 6's direction comes from a stream of its own, so that every other weight stays as it was. */
const JSON_SEED = 0x15011;
/** |b-component| of closing and of other JSON punctuation tokens (point 6). */
const JSON_CLOSING_STRENGTH = 1;
const JSON_OTHER_STRENGTH = 0.5;
/** |u-component| of a concept word's embedding; ordinary embeddings have norm ~0.16. */
export const CONCEPT_STRENGTH = 1;
/** |u-component| of the score tokens "0" and "10" (point 5); those between are graded linearly. */
const SCORE_STRENGTH = 0.3;
/** Weight of the copy head's write along u, per unit of u . x^ averaged over the context. */
const COPY_GAIN = 1;
/**
 * A per-layer control-vector norm that steers clearly (residual norms at layers 1..3 are ~1-2):
 * m * STEERING_NORM * u on layers 1..3 gives ~6% of the next-token mass to the concept words at
 * |m| = 0.25, ~85% at 0.5 and > 99% at 1 (measured with the reference forward pass, asserted by
 * test/test-model.test.ts).
 */
export const STEERING_NORM = 1;
/** Scale of the final RMSNorm gain: sets how sharply a trait-laden state picks concept words. */
const OUTPUT_GAIN = 2;
const EMBEDDING_STD = 0.02;
const QUERY_KEY_STD = 0.1;
const VALUE_OUTPUT_STD = 0.05;
const FFN_STD = 0.05;
/** RMSNorm gains are 1 +- this (uniform). */
const NORM_GAIN_SPREAD = 0.1;

/** Layer 0's head 0 is the copy head; it reads channel 0 of its KV head. */
const COPY_LAYER = 0;
const COPY_HEAD = 0;
const COPY_CHANNEL = 0;

export interface ConceptTokens {
  positive: ArrayLike<number>;
  negative: ArrayLike<number>;
  /** The tokens "0" to "10", in order. */
  scores: ArrayLike<number>;
  /** Tokens of JSON punctuation and whitespace alone (point 6). */
  json: JsonPunctuationTokens;
}

export interface TestModelWeights {
  /** The unit trait direction u, exactly as used (float32). */
  direction: Float32Array;
  tensors: GgufTensorInput[];
}

export function buildTestModelWeights(concept: ConceptTokens): TestModelWeights {
  const noise = new Noise(SEED);
  const direction = Float32Array.from(normalize(noise.values(TEST_MODEL_SHAPE.embeddingLength, 1)));
  const u = Float64Array.from(direction);
  const tensors = [tokenEmbedding(noise, u, concept), outputNorm(noise)];
  for (let il = 0; il < TEST_MODEL_SHAPE.blockCount; il++) {
    tensors.push(...attentionTensors(noise, u, il), ...feedForwardTensors(noise, u, il));
  }
  return { direction, tensors };
}

function tokenEmbedding(noise: Noise, u: Float64Array, concept: ConceptTokens): GgufTensorInput {
  const { vocabSize, embeddingLength: width } = TEST_MODEL_SHAPE;
  const trait = new Float64Array(vocabSize);
  for (const token of Array.from(concept.positive)) trait[token] = CONCEPT_STRENGTH;
  for (const token of Array.from(concept.negative)) trait[token] = -CONCEPT_STRENGTH;
  const top = concept.scores.length - 1;
  Array.from(concept.scores).forEach((token, score) => {
    trait[token] = (SCORE_STRENGTH * (2 * score - top)) / top;
  });

  const b = jsonDirection(u);
  const punctuation = new Float64Array(vocabSize);
  for (const token of concept.json.closing) punctuation[token] = JSON_CLOSING_STRENGTH;
  for (const token of concept.json.other) punctuation[token] = JSON_OTHER_STRENGTH;

  const data = new Float32Array(vocabSize * width);
  for (let token = 0; token < vocabSize; token++) {
    const row = noise.values(width, EMBEDDING_STD);
    removeComponent(row, u);
    const strength = trait[token] as number;
    const json = punctuation[token] as number;
    data.set(
      row.map((value, i) => value + strength * (u[i] as number) + json * (b[i] as number)),
      token * width,
    );
  }
  return { name: "token_embd.weight", shape: [width, vocabSize], type: GgmlType.F32, data };
}

/** Point 6's direction b: a unit vector orthogonal to u, from its own random stream. */
function jsonDirection(u: Float64Array): Float64Array {
  const b = new Noise(JSON_SEED).values(TEST_MODEL_SHAPE.embeddingLength, 1);
  removeComponent(b, u);
  return normalize(b);
}

function outputNorm(noise: Noise): GgufTensorInput {
  const gain = normGain(noise).map((value) => Math.fround(value * OUTPUT_GAIN));
  return vectorTensor("output_norm.weight", gain);
}

function attentionTensors(noise: Noise, u: Float64Array, il: number): GgufTensorInput[] {
  const { embeddingLength: width, headCount, headCountKv, headDim } = TEST_MODEL_SHAPE;
  const gain = normGain(noise);
  const traitRead = traitReadDirection(gain, u);

  const query = noiseMatrix(noise, headCount * headDim, width, QUERY_KEY_STD);
  query.ignoreInput(traitRead);
  const key = noiseMatrix(noise, headCountKv * headDim, width, QUERY_KEY_STD);
  key.ignoreInput(traitRead);
  const value = noiseMatrix(noise, headCountKv * headDim, width, VALUE_OUTPUT_STD);
  value.ignoreInput(traitRead);
  const output = noiseMatrix(noise, width, headCount * headDim, VALUE_OUTPUT_STD);
  output.neverWrite(u);
  if (il === COPY_LAYER) plantCopyHead({ query, value, output }, gain, u);

  return [
    vectorTensor(`blk.${il}.attn_norm.weight`, gain),
    query.toTensor(`blk.${il}.attn_q.weight`),
    key.toTensor(`blk.${il}.attn_k.weight`),
    value.toTensor(`blk.${il}.attn_v.weight`),
    output.toTensor(`blk.${il}.attn_output.weight`),
  ];
}

/** Turns query head COPY_HEAD into the uniform head that carries u . x^ forward (point 2 above). */
function plantCopyHead(
  attention: { query: Matrix; value: Matrix; output: Matrix },
  gain: Float64Array,
  u: Float64Array,
): void {
  const { embeddingLength: width, headCount, headCountKv, headDim } = TEST_MODEL_SHAPE;
  const { query, value, output } = attention;
  const zeros = new Float64Array(width);
  for (let d = 0; d < headDim; d++) query.setRow(COPY_HEAD * headDim + d, zeros);

  const headsSharingKv = headCount / headCountKv;
  const kvHead = Math.floor(COPY_HEAD / headsSharingKv);
  value.setRow(
    kvHead * headDim + COPY_CHANNEL,
    u.map((component, i) => component / (gain[i] as number)),
  );

  for (let head = kvHead * headsSharingKv; head < (kvHead + 1) * headsSharingKv; head++) {
    const write = head === COPY_HEAD ? u.map((component) => component * COPY_GAIN) : zeros;
    output.setColumn(head * headDim + COPY_CHANNEL, write);
  }
}

function feedForwardTensors(noise: Noise, u: Float64Array, il: number): GgufTensorInput[] {
  const { embeddingLength: width, feedForwardLength: hidden } = TEST_MODEL_SHAPE;
  const gain = normGain(noise);
  const traitRead = traitReadDirection(gain, u);

  const gate = noiseMatrix(noise, hidden, width, FFN_STD);
  gate.ignoreInput(traitRead);
  const up = noiseMatrix(noise, hidden, width, FFN_STD);
  up.ignoreInput(traitRead);
  const down = noiseMatrix(noise, width, hidden, FFN_STD);
  down.neverWrite(u);

  return [
    vectorTensor(`blk.${il}.ffn_norm.weight`, gain),
    gate.toTensor(`blk.${il}.ffn_gate.weight`),
    up.toTensor(`blk.${il}.ffn_up.weight`),
    down.toTensor(`blk.${il}.ffn_down.weight`),
  ];
}

/**
 * The direction of the RMS-normalized, gain-scaled input along which u . x^ shows up: rows
 * orthogonal to gain * u cannot see the trait (point 3 above).
 */
function traitReadDirection(gain: Float64Array, u: Float64Array): Float64Array {
  return normalize(gain.map((g, i) => g * (u[i] as number)));
}

function normGain(noise: Noise): Float64Array {
  // Rounded to float32 up front: the trait-blind rows must match the gains as stored.
  const spread = NORM_GAIN_SPREAD / Math.sqrt(3);
  return noise
    .values(TEST_MODEL_SHAPE.embeddingLength, spread)
    .map((value) => Math.fround(1 + value));
}

function noiseMatrix(noise: Noise, rows: number, cols: number, std: number): Matrix {
  return new Matrix(rows, cols, noise.values(rows * cols, std));
}

function vectorTensor(name: string, values: Float64Array): GgufTensorInput {
  return { name, shape: [values.length], type: GgmlType.F32, data: Float32Array.from(values) };
}
