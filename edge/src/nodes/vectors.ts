// Vectors live in R2 (vectors/<sha256>.gguf); a node keeps copies, under the same id, as a cache
// that may be lost whenever it restarts. So a request that names vectors is sent as it is, and
// when the node answers that it lacks one, the vectors are uploaded from R2 and it is sent again.

import type { ApiErrorBody } from "../../../shared/api/errors.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodePool, NodeResponse } from "./pool.ts";

export function vectorKey(hash: string): string {
  return `vectors/${hash}.gguf`;
}

/**
 * Sends a request whose body names `hashes` (in `steering`), uploading them to the node that
 * answers when it does not hold them yet. The body is JSON text, so it can be sent twice.
 */
export async function requestWithVectors(
  pool: NodePool,
  bucket: R2Bucket,
  hashes: readonly string[],
  path: string,
  init: RequestInit & { body: string },
): Promise<NodeResponse> {
  const first = await pool.request(path, init);
  if (hashes.length === 0 || !(await lacksVector(first.response))) return first;
  await Promise.all(hashes.map((hash) => uploadVector(pool, bucket, first.node, hash)));
  return { node: first.node, response: await pool.requestTo(first.node, path, init) };
}

async function lacksVector(response: Response): Promise<boolean> {
  if (response.status !== 404) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as ApiErrorBody | null;
  return body?.error.code === "vector_not_found";
}

export async function uploadVector(
  pool: NodePool,
  bucket: R2Bucket,
  node: string,
  hash: string,
): Promise<void> {
  const object = await bucket.get(vectorKey(hash));
  if (!object) throw new ApiError(500, `vector ${hash} is missing from storage`, "vector_missing");
  const response = await pool.requestTo(node, "/v1/vectors", {
    method: "POST",
    body: await object.arrayBuffer(),
  });
  if (!response.ok) {
    throw new ApiError(
      502,
      `the GPU node refused vector ${hash} (${response.status})`,
      "node_error",
    );
  }
}
