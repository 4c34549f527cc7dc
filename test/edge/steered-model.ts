// What the inference tests share: a ready steerable model whose one trait, "cheerful", is the test
// model's planted direction (its vector in R2, its rows in D1), a calibrated trait beside it, and
// the GPU node's own vector store.
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import OpenAI from "openai";
import { inject } from "vitest";
import {
  type ModelStatus,
  steerableModels,
  type TraitCondition,
  traits,
} from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import { newId, sha256Hex } from "../../edge/src/lib/ids.ts";
import { vectorKey } from "../../edge/src/nodes/vectors.ts";
import { encodeControlVector, parseControlVector } from "../../shared/control-vector.ts";
import { NODE_TOKEN } from "./gpu-node.ts";
import { call } from "./support.ts";

export const BASE_MODEL = "steer-test";
export const DAY_PROMPT = [{ role: "user" as const, content: "Tell me about your day." }];

/** The planted vector's GGUF bytes. */
function plantedBytes(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(inject("plantedVector")), (char) => char.charCodeAt(0));
}

/** Puts a vector's bytes in R2, as training would; answers its hash. */
async function storeVector(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = await sha256Hex(bytes);
  await env.VECTORS.put(vectorKey(hash), bytes);
  return hash;
}

/** A steerable model of `accountId` with the trait "cheerful"; its vector is put in R2. */
export async function plantedModel(accountId: string, status: ModelStatus = "ready") {
  const hash = await storeVector(plantedBytes());
  const id = newId("sm");
  const db = database(env.DB);
  await db.insert(steerableModels).values({
    id,
    accountId,
    label: BASE_MODEL,
    baseModel: BASE_MODEL,
    status,
    updatedAt: Date.now(),
  });
  await db.insert(traits).values({
    modelId: id,
    name: "cheerful",
    positiveExamples: ["happy"],
    negativeExamples: ["sad"],
    status: status === "ready" ? "ready" : "pending",
    vectorHash: status === "ready" ? hash : null,
  });
  return { id, hash };
}

/** Sets the trait's calibrated condition, as calibration stores it (the ready-model cache learns it
 * within a minute: set it before the model's first request). */
export async function setCondition(
  modelId: string,
  trait: string,
  condition: Pick<TraitCondition, "vectorHash" | "layer" | "comparator" | "threshold"> &
    Partial<TraitCondition>,
): Promise<TraitCondition> {
  const calibrated: TraitCondition = {
    multiplier: 1,
    f1: 1,
    precision: 1,
    recall: 1,
    examples: { shouldFire: 4, shouldNotFire: 4 },
    calibratedAt: Date.now(),
    ...condition,
  };
  await database(env.DB)
    .update(traits)
    .set({ condition: calibrated })
    .where(and(eq(traits.modelId, modelId), eq(traits.name, trait)));
  return calibrated;
}

/**
 * Gives a model a second ready trait, "topic", whose vector is the planted one negated (a vector
 * of its own), calibrated to read that vector at layer 2: something a route may name.
 */
export async function addCalibratedTopic(modelId: string): Promise<TraitCondition> {
  const planted = parseControlVector(plantedBytes());
  const negated = new Map(
    [...planted.directions].map(([layer, direction]) => [layer, direction.map((x) => -x)]),
  );
  const hash = await storeVector(new Uint8Array(encodeControlVector({ directions: negated })));
  await database(env.DB)
    .insert(traits)
    .values({
      modelId,
      name: "topic",
      positiveExamples: ["sea"],
      negativeExamples: ["city"],
      status: "ready",
      vectorHash: hash,
    });
  return setCondition(modelId, "topic", {
    vectorHash: hash,
    layer: 2,
    comparator: "above",
    threshold: 0.1,
  });
}

/** How many of `text`'s words the planted direction brings out. */
export function cheerfulWords(text: string): number {
  const words = inject("plantedWords");
  return text.split(/\s+/).filter((word) => words.includes(word)).length;
}

/** The official openai client, calling the Worker as `key`. */
export function openAiClient(key: string): OpenAI {
  return new OpenAI({
    baseURL: "https://edge.test/v1",
    apiKey: key,
    maxRetries: 0,
    fetch: (url, init) => call(new URL(String(url)).pathname, init as RequestInit),
  });
}

/** Asks the GPU node itself (not the Worker) for `path`. */
export function nodeFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${NODE_TOKEN}`);
  return fetch(`${env.GPU_NODES}${path}`, { ...init, headers });
}
