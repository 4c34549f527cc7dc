// POST /v1/completions: OpenAI's legacy text completions on a raw prompt, whole or streamed.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { CompletionUsage } from "../../../shared/api/chat.ts";
import {
  type Completion,
  type CompletionChoice,
  completionRequestSchema,
} from "../../../shared/api/completions.ts";
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

export function completionRoutes(context: AppContext): Hono {
  const { modelId } = context;
  const app = new Hono();
  app.post("/v1/completions", async (c) => {
    const request = await parseBody(c.req.raw, completionRequestSchema);
    const { events, abort } = startGeneration(context, c, request, {
      prompt: request.prompt,
      ...generationOptions(request, request.max_tokens),
    });
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const completion = (choices: CompletionChoice[], usage?: CompletionUsage): Completion => ({
      id,
      object: "text_completion",
      created,
      model: modelId,
      choices,
      ...(usage ? { usage } : {}),
    });
    if (!request.stream) {
      const { text, finishReason: reason, usage } = await collectCompletion(events);
      const choice = { index: 0, text, finish_reason: finishReason(reason), logprobs: null };
      return c.json(completion([choice], openAiUsage(usage)));
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const chunk = (choices: CompletionChoice[], usage?: CompletionUsage): Completion => ({
      ...completion(choices),
      ...(includeUsage ? { usage: usage ?? null } : {}),
    });
    return streamEvents(c, events, abort, {
      text: (text) => chunk([{ index: 0, text, finish_reason: null, logprobs: null }]),
      finish: (reason) => chunk([{ index: 0, text: "", finish_reason: reason, logprobs: null }]),
      usage: includeUsage ? (usage) => chunk([], usage) : undefined,
    });
  });
  return app;
}
