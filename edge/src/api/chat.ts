// POST /v1/chat/completions as the edge takes it: OpenAI's request (the official client works
// unchanged), where `model` is one of the caller's steerable models or a base model, plus
// `steering`.
import { z } from "zod";
import { chatRequestFields } from "../../../shared/openai/chat.ts";
import { steeringSchema } from "./steering.ts";

export const chatCompletionRequestSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .describe("One of your steerable models' ids, or a base model (unsteered but for steering)"),
    ...chatRequestFields,
    steering: steeringSchema.nullish(),
  })
  .meta({ id: "ChatCompletionRequest" });

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
