// POST /v1/chat/completions, whole or streamed as server-sent events.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type ChatFinishReason,
  type CompletionUsage,
  chatCompletionRequestSchema,
} from "../../../shared/api/chat.ts";
import { collectCompletion } from "../../engine/engine.ts";
import type { GenerateOptions, Usage } from "../../engine/generation.ts";
import type { Steering } from "../../engine/steering.ts";
import type { AppContext } from "../app.ts";
import { ApiError, fromZodError } from "../errors.ts";

export function chatRoutes({ engine, store, modelId }: AppContext): Hono {
  const app = new Hono();
  app.post("/v1/chat/completions", async (c) => {
    const request = parseRequest(await readJson(c.req.raw));
    const steering: Steering = Object.entries(request.steering ?? {}).map(([ref, multiplier]) => ({
      vector: store.vector(ref, `steering.${ref}`),
      multiplier,
    }));
    const abort = new AbortController();
    const events = engine.generate({
      ...engineOptions(request),
      steering,
      signal: AbortSignal.any([abort.signal, c.req.raw.signal]),
    });
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!request.stream) {
      const { text, finishReason: reason, usage } = await collectCompletion(events);
      const body: ChatCompletion = {
        id,
        object: "chat.completion",
        created,
        model: modelId,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: text },
            finish_reason: finishReason(reason),
          },
        ],
        usage: openAiUsage(usage),
      };
      return c.json(body);
    }
    const includeUsage = request.stream_options?.include_usage === true;
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => abort.abort());
      const send = (choices: ChatCompletionChunk["choices"], usage?: CompletionUsage) => {
        const chunk: ChatCompletionChunk = {
          id,
          object: "chat.completion.chunk",
          created,
          model: modelId,
          choices,
          ...(includeUsage ? { usage: usage ?? null } : {}),
        };
        return stream.writeSSE({ data: JSON.stringify(chunk) });
      };
      await send([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      for await (const event of events) {
        if (event.type === "text") {
          await send([{ index: 0, delta: { content: event.text }, finish_reason: null }]);
          continue;
        }
        if (event.finishReason === "cancelled" && abort.signal.aborted) return;
        await send([{ index: 0, delta: {}, finish_reason: finishReason(event.finishReason) }]);
        if (includeUsage) await send([], openAiUsage(event.usage));
      }
      await stream.writeSSE({ data: "[DONE]" });
    });
  });
  return app;
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ApiError(400, "the body is not valid JSON", "invalid_json", "body");
  }
}

function parseRequest(body: unknown): ChatCompletionRequest {
  const parsed = chatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error);
  const request = parsed.data;
  if (request.stream_options && !request.stream) {
    throw new ApiError(
      400,
      "stream_options is only allowed with stream: true",
      "invalid_request",
      "stream_options",
    );
  }
  return request;
}

function engineOptions(r: ChatCompletionRequest): GenerateOptions {
  const stop = r.stop ?? undefined;
  return {
    messages: r.messages,
    maxNewTokens: r.max_completion_tokens ?? r.max_tokens ?? undefined,
    sampling: {
      temperature: r.temperature ?? undefined,
      topP: r.top_p ?? undefined,
      topK: r.top_k ?? undefined,
      minP: r.min_p ?? undefined,
      repetitionPenalty: r.repetition_penalty ?? undefined,
      seed: r.seed ?? undefined,
    },
    stop: typeof stop === "string" ? [stop] : stop,
  };
}

/** A cancelled generation's client is gone (or the node is stopping): "stop" is what is left. */
function finishReason(reason: "stop" | "length" | "cancelled"): ChatFinishReason {
  return reason === "length" ? "length" : "stop";
}

function openAiUsage(usage: Usage): CompletionUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}
