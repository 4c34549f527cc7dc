// The base models the GPU nodes serve (their /v1/models entries): what a request may name, what a
// steerable model may be built on (the first listed, by default), what a built-in preset is
// extracted for, and the shape (layers, width) a vector must fit. Asked of the nodes at most once a
// minute per isolate, so that naming a base model costs no round trip each time.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { ModelObject } from "../../../shared/openai/models.ts";
import { type NodePool, noNode } from "./pool.ts";

const FRESH_MS = 60_000;
let known: { models: ModelObject[]; until: number } | null = null;

export async function servedModels(pool: NodePool): Promise<ModelObject[]> {
  if (!known || known.until < Date.now()) {
    known = { models: await askNodes(pool), until: Date.now() + FRESH_MS };
  }
  return known.models;
}

/** Makes this isolate ask the nodes again on its next use: a node was just added. */
export function forgetServedModels(): void {
  known = null;
}

/** The served base model `id`, if a node serves it. */
export async function findServedModel(pool: NodePool, id: string): Promise<ModelObject | null> {
  return (await servedModels(pool)).find((model) => model.id === id) ?? null;
}

/**
 * The base model a request names in `param`, or by default the first the nodes list; one no node
 * serves is a 400 that lists those served.
 */
export async function requireServedModel(
  pool: NodePool,
  id: string | null | undefined,
  param: string,
): Promise<ModelObject> {
  const models = await servedModels(pool);
  const model = id ? models.find((m) => m.id === id) : models[0];
  if (model) return model;
  if (!id) throw new ApiError(503, "the GPU nodes serve no model", "no_base_model");
  const served = models.map((m) => m.id).join(", ");
  const message = `${param}: ${JSON.stringify(id)} is not a base model the GPU nodes serve (they serve: ${served})`;
  throw new ApiError(400, message, "unknown_base_model", param);
}

/**
 * The base models of the active nodes, asked now (GET /v1/models answers with them), each once, in
 * the order of the nodes serving them; each node's is noted in the registry, which routes by it.
 * No node answering is the pool's 503.
 */
export async function askNodes(pool: NodePool): Promise<ModelObject[]> {
  const active = (await pool.registry.nodes()).filter((node) => node.state === "active");
  const lists = await Promise.all(active.map((node) => pool.modelsOf(node)));
  const answered = lists.filter((list) => list !== null);
  if (answered.length === 0) throw noNode();
  const models = new Map<string, ModelObject>();
  for (const model of answered.flatMap((list) => list.data)) {
    if (!models.has(model.id)) models.set(model.id, model);
  }
  return [...models.values()];
}
