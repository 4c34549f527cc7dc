// Generation on the GPU nodes: a chat request goes to the first healthy node as it is, and when
// that node answers that it lacks a vector its steering names (a node's vectors are a cache it
// loses on restart), the vectors are uploaded from R2 and the request sent again. A generation
// that runs under an id can be stopped by it.
import {
  cancelGenerationRoute,
  chatRoute,
  type NodeChatRequest,
} from "../../../shared/node-api/generation.ts";
import { type FieldOf, type NodePool, type NodeResponse, nodeError } from "./pool.ts";
import { uploadVector } from "./vectors.ts";

/**
 * The node's successful answer (whole or a stream, as `body.stream` asks); an error answer is
 * thrown as the ApiError it states, its param the client's own field (`fieldOf`).
 */
export async function generate(
  pool: NodePool,
  bucket: R2Bucket,
  body: NodeChatRequest,
  headers: Record<string, string>,
  fieldOf: FieldOf,
): Promise<NodeResponse> {
  const call = { json: body, headers };
  const first = await pool.call(chatRoute, call);
  if (first.response.ok) return first;
  const error = await nodeError(first.response, fieldOf);
  const hashes = Object.keys(body.steering ?? {});
  if (error.code !== "vector_not_found" || hashes.length === 0) throw error;
  await Promise.all(hashes.map((hash) => uploadVector(pool, bucket, first.node, hash)));
  const again = await pool.callNode(first.node, chatRoute, call);
  if (!again.ok) throw await nodeError(again, fieldOf);
  return { node: first.node, response: again };
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
