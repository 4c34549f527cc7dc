// POST /v1/chat/completions (shared/node-api/generation.ts's chatRoute), whole or streamed as
// server-sent events.
import { randomUUID } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import { chatRoute } from "../../../shared/node-api/generation.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../../../shared/openai/chat.ts";
import type { AppContext } from "../app.ts";
import { chatEngineRequest } from "../engine-request.ts";
import { startGeneration, streamEvents, wholeAnswer } from "../openai.ts";

export function chatRoutes(context: AppContext): OpenAPIHono {
  return new OpenAPIHono().openapi(chatRoute, async (c) => {
    const request = c.req.valid("json");
    const engineRequest = chatEngineRequest(request, context.store);
    const generation = startGeneration(context, c, request, c.req.valid("header"), engineRequest);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const { model } = generation;
    if (!request.stream) {
      const { text, finish_reason, ...rest } = await wholeAnswer(generation);
      const message = { role: "assistant" as const, content: text };
      const body: ChatCompletion = {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, finish_reason }],
        ...rest,
      };
      return c.json(body, 200);
    }
    const chunk = (choices: ChatCompletionChunk["choices"]): ChatCompletionChunk => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices,
    });
    return streamEvents(c, generation, {
      start: () =>
        chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
      text: (text) => chunk([{ index: 0, delta: { content: text }, finish_reason: null }]),
      finish: (reason) => chunk([{ index: 0, delta: {}, finish_reason: reason }]),
      usage: () => chunk([]),
    });
  });
}
