// The base models the GPU nodes serve (their /v1/models entries): what a request may name, what a
// steerable model may be built on, what a built-in preset is extracted for, and the shape (layers,
// width) a vector must fit. Asked of a node at most once a minute per isolate, so that naming the
// base model costs no round trip each time.
import type { ModelList, ModelObject } from "../../../shared/api/models.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodePool } from "./pool.ts";

const FRESH_MS = 60_000;
let known: { models: ModelObject[]; until: number } | null = null;

export async function servedModels(pool: NodePool): Promise<string[]> {
  return (await served(pool)).map((model) => model.id);
}

/** The base model `label` when a node serves it; else a 400 on `param` that lists those served. */
export async function requireServedModel(
  pool: NodePool,
  label: string,
  param: string,
): Promise<ModelObject> {
  const models = await served(pool);
  const model = models.find((m) => m.id === label);
  if (model) return model;
  throw new ApiError(
    400,
    `${param}: ${JSON.stringify(label)} is not a base model the GPU nodes serve (they serve: ${models.map((m) => m.id).join(", ")})`,
    "model_not_found",
    param,
  );
}

async function served(pool: NodePool): Promise<ModelObject[]> {
  if (!known || known.until < Date.now()) {
    known = { models: await askNodes(pool), until: Date.now() + FRESH_MS };
  }
  return known.models;
}

/** A node's model list, asked now (GET /v1/models answers with it). */
export async function askNodes(pool: NodePool): Promise<ModelObject[]> {
  const { response } = await pool.request("/v1/models");
  if (!response.ok) {
    throw new ApiError(
      502,
      `the GPU node did not list its models (${response.status})`,
      "node_error",
    );
  }
  return ((await response.json()) as ModelList).data;
}
