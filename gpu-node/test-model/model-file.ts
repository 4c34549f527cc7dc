/**
 * Assembles and writes the test model GGUF: llama.cpp's Llama metadata, the real Llama 3.1
 * tokenizer, the planted-concept description, and the weights.
 */
import { access, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GgufDocument,
  type GgufMetadata,
  type GgufValue,
  ggufArray,
  ggufScalar,
} from "../../shared/gguf/index.ts";
import { readGgufFile, writeGgufFile } from "../../shared/gguf/node-file.ts";
import { BAND_WORDS, plantedBandMetadata } from "./band.ts";
import { CONCEPT_WORDS, type PlantedConcept, plantedConceptMetadata } from "./concept.ts";
import { jsonPunctuationTokens } from "./json-punctuation.ts";
import { llamaMetadata } from "./llama-metadata.ts";
import { type Llama3Tokenizer, loadLlama3Tokenizer } from "./llama3-tokenizer.ts";
import { TEST_MODEL_SHAPE } from "./shape.ts";
import { plantedTopicMetadata, TOPIC_WORDS } from "./topic.ts";
import { buildTestModelWeights, STEERING_NORM } from "./weights.ts";

export const DEFAULT_TEST_MODEL_PATH = fileURLToPath(
  new URL("../../.cache/models/steer-test.gguf", import.meta.url),
);

/** llama_ftype LLAMA_FTYPE_ALL_F32. */
const FILE_TYPE_ALL_F32 = 0;

/**
 * The generator's version, written into the file: bumped with every change to what the model
 * does, so that a model cached by an earlier generator is written again rather than tested.
 */
const GENERATOR_VERSION = 5;
const VERSION_KEY = "steer.test_model.generator_version";

/** Writes the model to `path` unless this generator's is already there; returns the path. */
export async function ensureTestModel(path = DEFAULT_TEST_MODEL_PATH): Promise<string> {
  if (!(await isCurrent(path))) await writeTestModel(path);
  return path;
}

async function isCurrent(path: string): Promise<boolean> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (!exists) return false;
  const { metadata } = await readGgufFile(path);
  return metadata.get(VERSION_KEY)?.value === GENERATOR_VERSION;
}

/** Generates the model (deterministically: same bytes every time) and writes it to `path`. */
export async function writeTestModel(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeGgufFile(path, await buildTestModel());
}

async function buildTestModel(): Promise<GgufDocument> {
  const tokenizer = await loadLlama3Tokenizer();
  const wordTokens = (words: readonly string[]) =>
    Int32Array.from(words, (word) => wordToken(tokenizer, word));
  const positiveTokenIds = wordTokens(CONCEPT_WORDS.positive);
  const negativeTokenIds = wordTokens(CONCEPT_WORDS.negative);
  const topicTokenIds = wordTokens(TOPIC_WORDS);
  const scores = Array.from({ length: 11 }, (_, score) => singleToken(tokenizer, String(score)));
  const weights = buildTestModelWeights({
    positive: positiveTokenIds,
    negative: negativeTokenIds,
    scores,
    json: jsonPunctuationTokens(tokenizer.tokens),
    band: { positive: wordTokens(BAND_WORDS.positive), negative: wordTokens(BAND_WORDS.negative) },
    topic: topicTokenIds,
  });
  const concept: PlantedConcept = {
    direction: weights.direction,
    positiveWords: [...CONCEPT_WORDS.positive],
    negativeWords: [...CONCEPT_WORDS.negative],
    positiveTokenIds,
    negativeTokenIds,
    steeringNorm: STEERING_NORM,
  };
  const metadata: GgufMetadata = new Map([
    ...llamaMetadata({ ...TEST_MODEL_SHAPE, name: "steer-test", fileType: FILE_TYPE_ALL_F32 }),
    ...tokenizerMetadata(tokenizer),
    ...plantedConceptMetadata(concept),
    ...plantedBandMetadata({
      ...weights.band,
      positiveWords: [...BAND_WORDS.positive],
      negativeWords: [...BAND_WORDS.negative],
    }),
    ...plantedTopicMetadata({
      direction: weights.topic,
      words: TOPIC_WORDS,
      tokenIds: topicTokenIds,
    }),
    [VERSION_KEY, ggufScalar("uint32", GENERATOR_VERSION)],
  ]);
  return { metadata, tensors: weights.tensors };
}

/** The id of the single token " word" (byte-level BPE spells the leading space "Ġ"). */
function wordToken(tokenizer: Llama3Tokenizer, word: string): number {
  return singleToken(tokenizer, `\u0120${word}`);
}

function singleToken(tokenizer: Llama3Tokenizer, text: string): number {
  const id = tokenizer.tokens.indexOf(text);
  if (id < 0) throw new Error(`${JSON.stringify(text)} is not a single Llama 3 token`);
  return id;
}

function tokenizerMetadata(tokenizer: Llama3Tokenizer): [string, GgufValue][] {
  return [
    ["tokenizer.ggml.model", ggufScalar("string", "gpt2")],
    ["tokenizer.ggml.pre", ggufScalar("string", "llama-bpe")],
    ["tokenizer.ggml.tokens", ggufArray("string", tokenizer.tokens)],
    ["tokenizer.ggml.token_type", ggufArray("int32", tokenizer.tokenTypes)],
    ["tokenizer.ggml.merges", ggufArray("string", tokenizer.merges)],
    ["tokenizer.ggml.bos_token_id", ggufScalar("uint32", tokenizer.bosTokenId)],
    ["tokenizer.ggml.eos_token_id", ggufScalar("uint32", tokenizer.eosTokenId)],
    ["tokenizer.ggml.add_bos_token", ggufScalar("bool", true)],
    ["tokenizer.chat_template", ggufScalar("string", tokenizer.chatTemplate)],
  ];
}
