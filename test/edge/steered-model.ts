// What the inference tests share: a ready steerable model whose one trait, "cheerful", is the test
// model's planted direction (its vector in R2, its rows in D1), the usage rows metering writes,
// and the GPU node's own vector store.
import { env } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import OpenAI from "openai";
import { inject, vi } from "vitest";
import { type ModelStatus, steerableModels, traits, usage } from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import { newId, sha256Hex } from "../../edge/src/lib/ids.ts";
import { vectorKey } from "../../edge/src/nodes/vectors.ts";
import { NODE_TOKEN } from "./gpu-node.ts";
import { call } from "./support.ts";

export const BASE_MODEL = "steer-test";
export const DAY_PROMPT = [{ role: "user" as const, content: "Tell me about your day." }];

/** A steerable model of `accountId` with the trait "cheerful"; its vector is put in R2. */
export async function plantedModel(accountId: string, status: ModelStatus = "ready") {
  const bytes = Uint8Array.from(atob(inject("plantedVector")), (char) => char.charCodeAt(0));
  const hash = await sha256Hex(bytes);
  await env.VECTORS.put(vectorKey(hash), bytes);
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

/** How many of `text`'s words the planted direction brings out. */
export function cheerfulWords(text: string): number {
  const words = inject("plantedWords");
  return text.split(/\s+/).filter((word) => words.includes(word)).length;
}

/** The account's usage rows, once there are `count` (metering finishes after the response). */
export async function usageRows(accountId: string, count: number) {
  const db = database(env.DB);
  return vi.waitFor(async () => {
    const rows = await db
      .select()
      .from(usage)
      .where(eq(usage.accountId, accountId))
      .orderBy(asc(usage.createdAt));
    if (rows.length < count) throw new Error(`${rows.length} usage rows of ${count}`);
    return rows;
  });
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
