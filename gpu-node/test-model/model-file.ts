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
import { writeGgufFile } from "../../shared/gguf/node-file.ts";
import { CONCEPT_WORDS, type PlantedConcept, plantedConceptMetadata } from "./concept.ts";
import { llamaMetadata } from "./llama-metadata.ts";
import { type Llama3Tokenizer, loadLlama3Tokenizer } from "./llama3-tokenizer.ts";
import { TEST_MODEL_SHAPE } from "./shape.ts";
import { buildTestModelWeights, STEERING_NORM } from "./weights.ts";

export const DEFAULT_TEST_MODEL_PATH = fileURLToPath(
  new URL("../../.cache/models/steer-test.gguf", import.meta.url),
);

/** llama_ftype LLAMA_FTYPE_ALL_F32. */
const FILE_TYPE_ALL_F32 = 0;

/** Writes the model to `path` unless a file is already there; returns the path. */
export async function ensureTestModel(path = DEFAULT_TEST_MODEL_PATH): Promise<string> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (!exists) await writeTestModel(path);
  return path;
}

/** Generates the model (deterministically: same bytes every time) and writes it to `path`. */
export async function writeTestModel(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeGgufFile(path, await buildTestModel());
}

async function buildTestModel(): Promise<GgufDocument> {
  const tokenizer = await loadLlama3Tokenizer();
  const positiveTokenIds = Int32Array.from(CONCEPT_WORDS.positive, (word) =>
    wordToken(tokenizer, word),
  );
  const negativeTokenIds = Int32Array.from(CONCEPT_WORDS.negative, (word) =>
    wordToken(tokenizer, word),
  );
  const weights = buildTestModelWeights({ positive: positiveTokenIds, negative: negativeTokenIds });
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
  ]);
  return { metadata, tensors: weights.tensors };
}

/** The id of the single token " word" (byte-level BPE spells the leading space "Ġ"). */
function wordToken(tokenizer: Llama3Tokenizer, word: string): number {
  const id = tokenizer.tokens.indexOf(`\u0120${word}`);
  if (id < 0) throw new Error(`" ${word}" is not a single Llama 3 token`);
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
