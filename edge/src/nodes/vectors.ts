// Vectors live in R2 (vectors/<sha256>.gguf); a node keeps copies, under the same id, as a cache
// that may be lost whenever it restarts. The edge uploads to a node what it lacks, and copies what
// a node extracted into R2, checking the bytes are the ones the node named.
import type { RouteConfig } from "@hono/zod-openapi";
import { ApiError } from "../../../shared/http/api-error.ts";
import {
  getVectorRoute,
  uploadVectorRoute,
  vectorObjectSchema,
} from "../../../shared/node-api/vectors.ts";
import { sha256Hex } from "../lib/ids.ts";
import {
  type FieldOf,
  type NodeCall,
  type NodePool,
  type NodeResponse,
  nodeError,
  type Routing,
  readReply,
} from "./pool.ts";

export function vectorKey(hash: string): string {
  return `vectors/${hash}.gguf`;
}

/**
 * Sends `call` to the node the pool picks for `routing` (those holding its vectors preferred); when
 * that node answers that it lacks one of them, they are uploaded to it from R2 and the call sent
 * again. The node's successful answer; an error answer is thrown as the ApiError it states, its
 * param the client's own field (`fieldOf`).
 */
export async function callWithVectors(
  pool: NodePool,
  bucket: R2Bucket,
  routing: Routing & { vectors: readonly string[] },
  route: RouteConfig,
  call: NodeCall,
  fieldOf?: FieldOf,
): Promise<NodeResponse> {
  const hashes = routing.vectors;
  const first = await pool.call(route, call, routing);
  if (first.response.ok) return first;
  const error = await nodeError(first.response, fieldOf);
  if (error.code !== "vector_not_found" || hashes.length === 0) throw error;
  await Promise.all(hashes.map((hash) => uploadVector(pool, bucket, first.node, hash)));
  const again = await pool.resend(first.node, route, call);
  if (!again.ok) throw await nodeError(again, fieldOf);
  return { node: first.node, response: again };
}

/** Uploads the vector `hash` from R2 to `node`. */
export async function uploadVector(
  pool: NodePool,
  bucket: R2Bucket,
  node: string,
  hash: string,
): Promise<void> {
  const object = await bucket.get(vectorKey(hash));
  if (!object) throw new ApiError(500, `vector ${hash} is missing from storage`, "vector_missing");
  const response = await pool.callNode(node, uploadVectorRoute, {
    bytes: await object.arrayBuffer(),
  });
  const stored = await readReply(response, vectorObjectSchema);
  if (stored.id !== hash)
    throw new ApiError(502, `the GPU node stored ${hash} as ${stored.id}`, "node_error");
}

/** Copies the vector `id` that `node` holds into R2; answers its hash (its id, checked). */
export async function storeVector(
  pool: NodePool,
  bucket: R2Bucket,
  node: string,
  id: string,
): Promise<string> {
  const response = await pool.callNode(node, getVectorRoute, { params: { id } });
  if (!response.ok) throw await nodeError(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const hash = await sha256Hex(bytes);
  if (hash !== id)
    throw new ApiError(502, `vector ${id} arrived with sha256 ${hash}`, "node_error");
  await bucket.put(vectorKey(hash), bytes);
  return hash;
}
