// The test model's planted cheerful vector on a running `steer serve`: uploaded, and steering.
import type OpenAI from "openai";
import { encodeControlVector } from "../../shared/control-vector.ts";
import type { VectorObject } from "../../shared/node-api/vectors.ts";
import type { ModelList } from "../../shared/openai/models.ts";
import { testModelPath } from "../support/engine.ts";
import { DAY_PROMPT, type Planted, readPlanted } from "../support/planted.ts";

/** Uploads the planted vector; its id is what `steering` names. */
export async function uploadPlanted(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ planted: Planted; id: string }> {
  const models = (await (await fetch(`${url}/v1/models`, { headers })).json()) as ModelList;
  const planted = await readPlanted(testModelPath, models.data[0]?.metadata.layers ?? 0);
  const body = encodeControlVector(planted.cheerful);
  const response = await fetch(`${url}/v1/vectors`, { method: "POST", headers, body });
  if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
  return { planted, id: ((await response.json()) as VectorObject).id };
}

/** The greedy answer to DAY_PROMPT steered by vector `id` at `multiplier`. */
export async function steeredAnswer(
  client: OpenAI,
  id: string,
  multiplier: number,
  maxTokens = 8,
): Promise<string> {
  const completion = await client.chat.completions.create({
    model: "steer-test",
    messages: DAY_PROMPT,
    max_tokens: maxTokens,
    // @ts-expect-error Steer's extension field
    steering: { [id]: multiplier },
  });
  return completion.choices[0]?.message.content ?? "";
}
