// POST /v1/chat/completions, whole or streamed as server-sent events.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type CompletionUsage,
  chatCompletionRequestSchema,
} from "../../../shared/api/chat.ts";
import { collectCompletion } from "../../engine/engine.ts";
import type { AppContext } from "../app.ts";
import {
  finishReason,
  generationOptions,
  openAiUsage,
  parseBody,
  startGeneration,
  streamEvents,
} from "../openai.ts";

export function chatRoutes(context: AppContext): Hono {
  const { modelId } = context;
  const app = new Hono();
  app.post("/v1/chat/completions", async (c) => {
    const request = await parseBody(c.req.raw, chatCompletionRequestSchema);
    const { events, abort } = startGeneration(context, c, request, {
      messages: request.messages,
      ...generationOptions(request, request.max_completion_tokens ?? request.max_tokens),
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
    const chunk = (
      choices: ChatCompletionChunk["choices"],
      usage?: CompletionUsage,
    ): ChatCompletionChunk => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: modelId,
      choices,
      ...(includeUsage ? { usage: usage ?? null } : {}),
    });
    return streamEvents(c, events, abort, {
      start: () =>
        chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
      text: (text) => chunk([{ index: 0, delta: { content: text }, finish_reason: null }]),
      finish: (reason) => chunk([{ index: 0, delta: {}, finish_reason: reason }]),
      usage: includeUsage ? (usage) => chunk([], usage) : undefined,
    });
  });
  return app;
}
