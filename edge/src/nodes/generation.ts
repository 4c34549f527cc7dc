// Generation on the GPU nodes: a chat request goes to the first healthy node as it is, and when
// that node answers that it lacks a vector its steering names, steered or read by a condition (a
// node's vectors are a cache it loses on restart), the vectors are uploaded from R2 and the request sent again. A generation
// that runs under an id can be stopped by it.
import {
  cancelGenerationRoute,
  chatRoute,
  type NodeChatRequest,
} from "../../../shared/node-api/generation.ts";
import type { FieldOf, NodePool, NodeResponse } from "./pool.ts";
import { callWithVectors } from "./vectors.ts";

/**
 * The node's successful answer (whole or a stream, as `body.stream` asks); an error answer is
 * thrown as the ApiError it states, its param the client's own field (`fieldOf`).
 */
export function generate(
  pool: NodePool,
  bucket: R2Bucket,
  body: NodeChatRequest,
  headers: Record<string, string>,
  fieldOf: FieldOf,
): Promise<NodeResponse> {
  const hashes = steeringVectors(body.steering);
  return callWithVectors(pool, bucket, hashes, chatRoute, { json: body, headers }, fieldOf);
}

/** Every vector the node needs for `steering`: those it steers, and those its conditions read. */
export function steeringVectors(steering: NodeChatRequest["steering"]): string[] {
  const vectors = new Set<string>();
  for (const [hash, term] of Object.entries(steering ?? {})) {
    vectors.add(hash);
    if (typeof term !== "number") vectors.add(term.when.vector);
  }
  return [...vectors];
}

/**
 * Stops a generation wherever it runs: the request may still be on its way to a node, so each is
 * asked, and a node that does not run it answers 404.
 */
export async function cancelGeneration(pool: NodePool, id: string): Promise<void> {
  await Promise.all(
    pool.nodes.map((node) =>
      pool.callNode(node, cancelGenerationRoute, { params: { id } }).catch(() => undefined),
    ),
  );
}
