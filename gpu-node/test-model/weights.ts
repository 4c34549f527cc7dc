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
 *    a direction b (orthogonal to the other planted directions): closing ones (`}`, `]`, `"`) with JSON_CLOSING_STRENGTH,
 *    the others (`{`, `[`, `:`, `,`) with the weaker JSON_OTHER_STRENGTH. After any of them the
 *    model's likeliest tokens are punctuation, closing first; under a grammar (a structured
 *    answer), which allows only what fits, it closes what it opened within a few tokens, as a
 *    real model would, instead of filling strings and whitespace up to its token limit. Text
 *    without JSON punctuation is answered exactly as before: b has its own random stream.
 *
 * 7. A trait in a band of layers (calm vs angry, band.ts). Its words carry +-BAND_STRENGTH on one
 *    channel s of the residual stream (the channel where u was smallest, zeroed in u), which
 *    nothing but two uniform heads reads and nothing writes. In layer BAND_LAYERS.first, query
 *    head BAND_HEAD reads s . x^ and writes the context's average along a carrier direction w, as
 *    the copy head does for u; in layer BAND_LAYERS.end the same head reads s . x^ again and writes
 *    it negated, so the two cancel, and the outputs of layers first .. end - 1 alone carry the
 *    trait along w. They cancel as far as the RMS of the word's own position stayed the same in
 *    between: its embedding is long (BAND_STRENGTH), so what the layers between write there, made
 *    of what they can read (all but s), changes that RMS by less than 0.1%, and what is left along
 *    w is below what other heads carry of the two words' differing random embeddings. No token's
 *    embedding has a w-component, and the final norm's gain is 0 on s, so the trait never reaches
 *    the output: it is there to be read, not to steer. The band is layer 1 alone, below the fixed
 *    band of extraction (2-3 of this 4-layer model): measuring where the trait is readable finds
 *    it, the fixed rule does not.
 *
 * 8. A topic (the sea, topic.ts). Its words carry +TOPIC_STRENGTH along a direction t that no other
 *    token's embedding has, that no random weight reads and none writes. Channel 1 of the copy head
 *    (point 2) reads t . x^ and writes the context's average back along t, so from a topic word on,
 *    every position carries it, the last one included (where extraction reads a trait). The mean
 *    hidden state of a prompt with a topic word thus has a t-component at every layer's output, and
 *    one without has none: a condition on t fires on the first and never on the second. Prompts
 *    without topic words are answered as if t did not exist. With them, the unembedding (tied)
 *    raises the topic words' logits as a concept word's trait raises its kind's: strongly at the
 *    topic word's own position, and by the copy's average, a few times weaker, after it.
 */
import { GgmlType, type GgufTensorInput } from "../../shared/gguf/index.ts";
import type { JsonPunctuationTokens } from "./json-punctuation.ts";
import { Matrix, normalize, orthonormalize, removeComponent } from "./matrix.ts";
import { Noise } from "./noise.ts";
import { TEST_MODEL_SHAPE } from "./shape.ts";

const SEED = 0x57ee12;
/** Point 6's direction comes from a stream of its own, so that every other weight stays as it was. */
const JSON_SEED = 0x15011;
/** |b-component| of closing and of other JSON punctuation tokens (point 6). */
const JSON_CLOSING_STRENGTH = 1;
const JSON_OTHER_STRENGTH = 0.5;
/** Draws the band trait's directions (point 7), apart from SEED's, whose draws stay as they were. */
const BAND_SEED = 0xba4d;
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
/** A uniform head reads (and writes) channel 0 of its KV head. */
const COPY_CHANNEL = 0;

/**
 * |s-component| of a band word's embedding (point 7): long beside the rest of the state at its
 * position, so that the band's two heads read the same s . x^ there. At 10, 0.7% of the trait is
 * left along w after the band; at 30, 0.08%, below the differences other heads carry.
 */
const BAND_STRENGTH = 30;
/** The band trait is written in layer `first` and removed in layer `end`. */
const BAND_LAYERS = { first: 1, end: 2 } as const;
/** The band's uniform head: on the other KV head than COPY_HEAD's, so the two never share values. */
const BAND_HEAD = 2;

/** |t-component| of a topic word's embedding (point 8), that of the concept words. */
const TOPIC_STRENGTH = 1;
/** Draws the topic's direction (point 8) from a stream of its own. */
const TOPIC_SEED = 0x5ea;
/** The copy head's value channel that copies the topic. */
const TOPIC_CHANNEL = 1;

export interface ConceptTokens {
  positive: ArrayLike<number>;
  negative: ArrayLike<number>;
  /** The tokens "0" to "10", in order. */
  scores: ArrayLike<number>;
  /** Tokens of JSON punctuation and whitespace alone (point 6). */
  json: JsonPunctuationTokens;
  /** The band trait's words (point 7). */
  band: { positive: ArrayLike<number>; negative: ArrayLike<number> };
  /** The topic's words (point 8). */
  topic: ArrayLike<number>;
}

export interface TestModelWeights {
  /** The unit trait direction u, exactly as used (float32). */
  direction: Float32Array;
  /** The band trait's carrier w and the layers whose output carries it (point 7). */
  band: { direction: Float32Array; layers: number[] };
  /** The topic's direction t (point 8). */
  topic: Float32Array;
  tensors: GgufTensorInput[];
}

/** The directions the planted traits use; orthonormal, and no random weight reads or writes them. */
interface TraitDirections {
  /** The cheerful trait. */
  u: Float64Array;
  /** Where the band trait's words carry it in the embeddings: one channel of the stream. */
  s: Float64Array;
  /** That channel. */
  channel: number;
  /** Where the band trait lives inside its band. */
  w: Float64Array;
  /** The topic's direction (point 8). */
  t: Float64Array;
}

export function buildTestModelWeights(concept: ConceptTokens): TestModelWeights {
  const noise = new Noise(SEED);
  const directions = traitDirections(noise.values(TEST_MODEL_SHAPE.embeddingLength, 1));
  const direction = Float32Array.from(directions.u);
  const tensors = [tokenEmbedding(noise, directions, concept), outputNorm(noise, directions)];
  for (let il = 0; il < TEST_MODEL_SHAPE.blockCount; il++) {
    tensors.push(
      ...attentionTensors(noise, directions, il),
      ...feedForwardTensors(noise, directions, il),
    );
  }
  const bandLayers = Array.from(
    { length: BAND_LAYERS.end - BAND_LAYERS.first },
    (_, i) => BAND_LAYERS.first + i,
  );
  return {
    direction,
    band: { direction: Float32Array.from(directions.w), layers: bandLayers },
    topic: Float32Array.from(directions.t),
    tensors,
  };
}

/**
 * The planted directions, in float32 as stored: s is the channel where the drawn direction is
 * smallest (point 7), u the drawn direction with that channel zeroed, w drawn apart and made
 * orthogonal to both, and t (point 8) drawn apart again and made orthogonal to all three and to
 * point 6's b. Being one channel, s is read and written exactly: a row blind to it has a 0
 * there, and so does the final norm's gain.
 */
function traitDirections(drawn: Float64Array): TraitDirections {
  const channel = drawn.reduce(
    (smallest, x, i) => (Math.abs(x) < Math.abs(drawn[smallest] as number) ? i : smallest),
    0,
  );
  const u = normalize(drawn.map((x, i) => (i === channel ? 0 : x)));
  const s = new Float64Array(drawn.length);
  s[channel] = 1;
  const noise = new Noise(BAND_SEED);
  const [, , w] = orthonormalize([s, u, noise.values(drawn.length, 1)]);
  const b = jsonDirection({ u, s, w: w as Float64Array });
  const topicDraw = new Noise(TOPIC_SEED).values(drawn.length, 1);
  const [, , , , t] = orthonormalize([s, u, w as Float64Array, b, topicDraw]);
  const float32 = (vector: Float64Array) => Float64Array.from(Float32Array.from(vector));
  return {
    u: float32(u),
    s,
    w: float32(w as Float64Array),
    t: float32(t as Float64Array),
    channel,
  };
}

function tokenEmbedding(
  noise: Noise,
  directions: TraitDirections,
  concept: ConceptTokens,
): GgufTensorInput {
  const { u, s, w, t } = directions;
  const { vocabSize, embeddingLength: width } = TEST_MODEL_SHAPE;
  const trait = new Float64Array(vocabSize);
  for (const token of Array.from(concept.positive)) trait[token] = CONCEPT_STRENGTH;
  for (const token of Array.from(concept.negative)) trait[token] = -CONCEPT_STRENGTH;
  const top = concept.scores.length - 1;
  Array.from(concept.scores).forEach((token, score) => {
    trait[token] = (SCORE_STRENGTH * (2 * score - top)) / top;
  });
  const band = new Float64Array(vocabSize);
  for (const token of Array.from(concept.band.positive)) band[token] = BAND_STRENGTH;
  for (const token of Array.from(concept.band.negative)) band[token] = -BAND_STRENGTH;
  const topic = new Float64Array(vocabSize);
  for (const token of Array.from(concept.topic)) topic[token] = TOPIC_STRENGTH;

  const b = jsonDirection(directions);
  const punctuation = new Float64Array(vocabSize);
  for (const token of concept.json.closing) punctuation[token] = JSON_CLOSING_STRENGTH;
  for (const token of concept.json.other) punctuation[token] = JSON_OTHER_STRENGTH;

  const data = new Float32Array(vocabSize * width);
  for (let token = 0; token < vocabSize; token++) {
    const row = noise.values(width, EMBEDDING_STD);
    for (const direction of [u, s, w, t]) removeComponent(row, direction);
    const strength = trait[token] as number;
    const json = punctuation[token] as number;
    const bandStrength = band[token] as number;
    const topicStrength = topic[token] as number;
    data.set(
      row.map(
        (value, i) =>
          value +
          strength * (u[i] as number) +
          json * (b[i] as number) +
          bandStrength * (s[i] as number) +
          topicStrength * (t[i] as number),
      ),
      token * width,
    );
  }
  return { name: "token_embd.weight", shape: [width, vocabSize], type: GgmlType.F32, data };
}

/** Point 6's direction b: a unit vector orthogonal to the planted
 * traits' directions (u, s, w), from its own random stream. */
function jsonDirection({ u, s, w }: Pick<TraitDirections, "u" | "s" | "w">): Float64Array {
  const b = new Noise(JSON_SEED).values(TEST_MODEL_SHAPE.embeddingLength, 1);
  for (const direction of [u, s, w]) removeComponent(b, direction);
  return normalize(b);
}

/**
 * The final RMSNorm's gain, 0 on the band's channel s: the unembedding (the embeddings, tied)
 * never reads it, so the band words' long s-components (point 7) weigh nothing in the logits
 * (and float32 rounding of the state along s is not multiplied by their length).
 */
function outputNorm(noise: Noise, { channel }: TraitDirections): GgufTensorInput {
  const gain = normGain(noise).map((value) => Math.fround(value * OUTPUT_GAIN));
  gain[channel] = 0;
  return vectorTensor("output_norm.weight", gain);
}

function attentionTensors(
  noise: Noise,
  directions: TraitDirections,
  il: number,
): GgufTensorInput[] {
  const { embeddingLength: width, headCount, headCountKv, headDim } = TEST_MODEL_SHAPE;
  const { u, s, w, t } = directions;
  const gain = normGain(noise);
  const traitReads = traitReadDirections(gain, directions);

  const query = noiseMatrix(noise, headCount * headDim, width, QUERY_KEY_STD);
  query.ignoreInputs(traitReads);
  const key = noiseMatrix(noise, headCountKv * headDim, width, QUERY_KEY_STD);
  key.ignoreInputs(traitReads);
  const value = noiseMatrix(noise, headCountKv * headDim, width, VALUE_OUTPUT_STD);
  value.ignoreInputs(traitReads);
  const output = noiseMatrix(noise, width, headCount * headDim, VALUE_OUTPUT_STD);
  for (const direction of [u, s, w, t]) output.neverWrite(direction);
  const attention = { query, value, output };
  if (il === COPY_LAYER) {
    plantUniformHead(attention, gain, COPY_HEAD, u, scaled(u, COPY_GAIN));
    plantUniformHead(attention, gain, COPY_HEAD, t, t, TOPIC_CHANNEL);
  }
  if (il === BAND_LAYERS.first) plantUniformHead(attention, gain, BAND_HEAD, s, w);
  if (il === BAND_LAYERS.end) plantUniformHead(attention, gain, BAND_HEAD, s, scaled(w, -1));

  return [
    vectorTensor(`blk.${il}.attn_norm.weight`, gain),
    query.toTensor(`blk.${il}.attn_q.weight`),
    key.toTensor(`blk.${il}.attn_k.weight`),
    value.toTensor(`blk.${il}.attn_v.weight`),
    output.toTensor(`blk.${il}.attn_output.weight`),
  ];
}

/**
 * Turns query head `head` into a uniform head (all-zero queries: it attends evenly to positions
 * 0..p) whose value channel `channel` reads `reads` . x^ and whose output writes that along
 * `writes`: the copy head (points 2 and 8) and the band's heads (point 7). The other head on its KV
 * head writes nothing of that channel.
 */
function plantUniformHead(
  attention: { query: Matrix; value: Matrix; output: Matrix },
  gain: Float64Array,
  head: number,
  reads: Float64Array,
  writes: Float64Array,
  channel = COPY_CHANNEL,
): void {
  const { embeddingLength: width, headCount, headCountKv, headDim } = TEST_MODEL_SHAPE;
  const { query, value, output } = attention;
  const zeros = new Float64Array(width);
  for (let d = 0; d < headDim; d++) query.setRow(head * headDim + d, zeros);

  const headsSharingKv = headCount / headCountKv;
  const kvHead = Math.floor(head / headsSharingKv);
  value.setRow(
    kvHead * headDim + channel,
    reads.map((component, i) => component / (gain[i] as number)),
  );

  for (let other = kvHead * headsSharingKv; other < (kvHead + 1) * headsSharingKv; other++) {
    output.setColumn(other * headDim + channel, other === head ? writes : zeros);
  }
}

function scaled(vector: Float64Array, factor: number): Float64Array {
  return vector.map((component) => component * factor);
}

function feedForwardTensors(
  noise: Noise,
  directions: TraitDirections,
  il: number,
): GgufTensorInput[] {
  const { embeddingLength: width, feedForwardLength: hidden } = TEST_MODEL_SHAPE;
  const gain = normGain(noise);
  const traitReads = traitReadDirections(gain, directions);

  const gate = noiseMatrix(noise, hidden, width, FFN_STD);
  gate.ignoreInputs(traitReads);
  const up = noiseMatrix(noise, hidden, width, FFN_STD);
  up.ignoreInputs(traitReads);
  const down = noiseMatrix(noise, width, hidden, FFN_STD);
  for (const direction of [directions.u, directions.s, directions.w, directions.t]) {
    down.neverWrite(direction);
  }

  return [
    vectorTensor(`blk.${il}.ffn_norm.weight`, gain),
    gate.toTensor(`blk.${il}.ffn_gate.weight`),
    up.toTensor(`blk.${il}.ffn_up.weight`),
    down.toTensor(`blk.${il}.ffn_down.weight`),
  ];
}

/**
 * The directions of the RMS-normalized, gain-scaled input along which u . x^, s . x^, w . x^ and
 * t . x^ show up, as an orthonormal basis: rows orthogonal to gain * u, gain * s, gain * w and
 * gain * t cannot see the traits (point 3 above).
 */
function traitReadDirections(gain: Float64Array, { u, s, w, t }: TraitDirections): Float64Array[] {
  // s first: the basis then starts with its channel exactly, and a blind row has a 0 there.
  return orthonormalize([s, u, w, t].map((d) => gain.map((g, i) => g * (d[i] as number))));
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
