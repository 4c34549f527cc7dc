// The models the benchmark runs on, each made on first use and cached in .cache/models:
// the project's tiny test model (128k vocabulary on a 64-wide body: sampling and per-token
// overheads dominate), and a random-weight model of Llama-3.2-1B's shape quantized to Q4_K_M
// (the matrix multiplications dominate, as in real use).
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ensureTestModel } from "../../gpu-node/test-model/index.ts";
import type { GgufMetadata } from "../../shared/gguf/index.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { execFileAsync } from "./exec.ts";
import { modelsDir } from "./paths.ts";
import { LLAMA_3_2_1B_SHAPE, writeRandomLlama } from "./random-llama.ts";

export interface BenchModel {
  label: string;
  path: string;
}

export async function testModel(): Promise<BenchModel> {
  return { label: "tiny test model (F32)", path: await ensureTestModel() };
}

/** Writes the F16 model, quantizes it, and keeps only the quantized file (0.8 GB). */
export async function llama1bShapedModel(
  quantizeTool: string,
  threads: number,
): Promise<BenchModel> {
  const shape = LLAMA_3_2_1B_SHAPE;
  const quantized = path.join(modelsDir, `${shape.name}.Q4_K_M.gguf`);
  const label = "Llama-3.2-1B shape, random, Q4_K_M";
  if (existsSync(quantized)) return { label, path: quantized };

  await mkdir(modelsDir, { recursive: true });
  const f16 = path.join(modelsDir, `${shape.name}.F16.gguf`);
  console.error(`Writing ${f16} (random weights)`);
  await writeRandomLlama(f16, shape, await tokenizerMetadata((await testModel()).path));
  console.error(`Quantizing to ${quantized}`);
  const partial = `${quantized}.partial`;
  await execFileAsync(quantizeTool, [f16, partial, "Q4_K_M", String(threads)]);
  await rename(partial, quantized);
  await rm(f16);
  return { label, path: quantized };
}

/** The tokenizer.* entries of a model: the vocabulary, merges, special tokens, chat template. */
async function tokenizerMetadata(modelPath: string): Promise<GgufMetadata> {
  const { metadata } = await readGgufFile(modelPath);
  return new Map([...metadata].filter(([key]) => key.startsWith("tokenizer.")));
}
