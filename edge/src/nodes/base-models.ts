// The base models the GPU nodes serve (their /v1/models ids): what a request may name, what a
// steerable model may be built on, what a built-in preset is extracted for. Asked of a node at
// most once a minute per isolate, so that naming the base model costs no round trip each time.
import type { ModelList } from "../../../shared/api/models.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodePool } from "./pool.ts";

const FRESH_MS = 60_000;
let known: { ids: string[]; until: number } | null = null;

export async function servedModels(pool: NodePool): Promise<string[]> {
  if (!known || known.until < Date.now()) {
    known = { ids: await askNodes(pool), until: Date.now() + FRESH_MS };
  }
  return known.ids;
}

/** `label` when a node serves it; else a 400 on `param` that lists the base models there are. */
export async function requireServedModel(
  pool: NodePool,
  label: string,
  param: string,
): Promise<string> {
  const served = await servedModels(pool);
  if (served.includes(label)) return label;
  throw new ApiError(
    400,
    `${param}: ${JSON.stringify(label)} is not a base model the GPU nodes serve (they serve: ${served.join(", ")})`,
    "model_not_found",
    param,
  );
}

async function askNodes(pool: NodePool): Promise<string[]> {
  const { response } = await pool.request("/v1/models");
  if (!response.ok) {
    throw new ApiError(
      502,
      `the GPU node did not list its models (${response.status})`,
      "node_error",
    );
  }
  const list = (await response.json()) as ModelList;
  return list.data.map((model) => model.id);
}
