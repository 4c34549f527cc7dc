// Generation on the GPU nodes: a chat request goes to a node of its base model (the pool picks by
// load, preferring one holding its vectors) as it is, and when
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
  request: { baseModel: string; body: NodeChatRequest; avoid?: readonly string[] },
  headers: Record<string, string>,
  fieldOf: FieldOf,
): Promise<NodeResponse> {
  const { baseModel, body, avoid } = request;
  const routing = { model: baseModel, vectors: steeringVectors(body.steering), avoid };
  return callWithVectors(pool, bucket, routing, chatRoute, { json: body, headers }, fieldOf);
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
    (await pool.urls()).map((node) =>
      pool.callNode(node, cancelGenerationRoute, { params: { id } }).catch(() => undefined),
    ),
  );
}

/**
 * A streamed generation (`generate` with `body.stream`) once its first bytes have come: a node
 * that fails before them has sent the client nothing yet, so the request is sent once more, to
 * another node. A second failure is the answer (its stream ends in error: cut short, metered empty).
 */
export async function generateStream(
  pool: NodePool,
  bucket: R2Bucket,
  request: { baseModel: string; body: NodeChatRequest },
  headers: Record<string, string>,
  fieldOf: FieldOf,
): Promise<NodeResponse> {
  const first = await generate(pool, bucket, request, headers, fieldOf);
  const started = await firstBytes(first.response);
  if (started.ok) return { node: first.node, response: started.response };
  const avoid = [first.node];
  const again = await generate(pool, bucket, { ...request, avoid }, headers, fieldOf).catch(
    () => null,
  );
  if (!again) return { node: first.node, response: started.response };
  return { node: again.node, response: (await firstBytes(again.response)).response };
}

/**
 * Waits for a stream's first bytes; `ok` when they came, and the response is then the same stream
 * from its start. Otherwise the response is one whose body fails as the node's did.
 */
async function firstBytes(response: Response): Promise<{ ok: boolean; response: Response }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let first: Uint8Array | undefined;
  let failure: unknown = new Error("the GPU node ended the stream before its first event");
  try {
    const read = await reader.read();
    first = read.done ? undefined : read.value;
  } catch (error) {
    failure = error;
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first) controller.enqueue(first);
    },
    async pull(controller) {
      if (!first) return controller.error(failure);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { ok: first !== undefined, response: new Response(body, response) };
}
