// Sending a chat request on to a GPU node, with the vectors its steering names: the node that
// answers gets any it lacks uploaded from R2 (nodes/vectors.ts).
import type { Context } from "hono";
import type { ChatCompletion, ChatCompletionRequest } from "../../../shared/api/chat.ts";
import type { EdgeEnv } from "../env.ts";
import type { NodePool } from "../nodes/pool.ts";
import { requestWithVectors } from "../nodes/vectors.ts";
import { completed, meter } from "./meter.ts";
import type { Target } from "./target.ts";

/** The node's answer as it is: an error, a whole completion or a stream. */
export async function forwardChat(
  c: Context<EdgeEnv>,
  pool: NodePool,
  body: ChatCompletionRequest,
): Promise<Response> {
  const { response } = await requestWithVectors(
    pool,
    c.env.VECTORS,
    Object.keys(body.steering ?? {}),
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  return response;
}

/** A whole (unstreamed) completion from the node, metered under the target's name. */
export async function wholeCompletion(
  c: Context<EdgeEnv>,
  target: Target,
  response: Response,
): Promise<ChatCompletion> {
  const completion = (await response.json()) as ChatCompletion;
  meter(c, target.model, completed(completion.usage));
  return completion;
}
