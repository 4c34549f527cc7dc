// POST /v1/completions (shared/node-api/generation.ts's completionRoute): OpenAI's legacy text
// completions on a raw prompt, whole or streamed.
import { randomUUID } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import { completionRoute } from "../../../shared/node-api/generation.ts";
import type { Completion, CompletionChoice } from "../../../shared/openai/completions.ts";
import type { AppContext } from "../app.ts";
import { completionEngineRequest } from "../engine-request.ts";
import { startGeneration, streamEvents, wholeAnswer } from "../openai.ts";

export function completionRoutes(context: AppContext): OpenAPIHono {
  return new OpenAPIHono().openapi(completionRoute, async (c) => {
    const request = c.req.valid("json");
    const engineRequest = completionEngineRequest(request, context.store);
    const generation = startGeneration(context, c, request, c.req.valid("header"), engineRequest);
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const completion = (choices: CompletionChoice[]): Completion => ({
      id,
      object: "text_completion",
      created,
      model: generation.model,
      choices,
    });
    if (!request.stream) {
      const { text, finish_reason, ...rest } = await wholeAnswer(generation);
      const choice = { index: 0, text, finish_reason, logprobs: null };
      return c.json({ ...completion([choice]), ...rest }, 200);
    }
    return streamEvents(c, generation, {
      text: (text) => completion([{ index: 0, text, finish_reason: null, logprobs: null }]),
      finish: (reason) =>
        completion([{ index: 0, text: "", finish_reason: reason, logprobs: null }]),
      usage: () => completion([]),
    });
  });
}
