// POST /v1/completions: OpenAI's legacy text completions (a raw `prompt`, no chat template), with
// the same sampling fields and Steer extensions as /v1/chat/completions.
import { z } from "zod";
import {
  type ChatFinishReason,
  type CompletionUsage,
  chatCompletionRequestSchema,
} from "./chat.ts";

export const completionRequestSchema = chatCompletionRequestSchema
  .omit({ messages: true, max_completion_tokens: true })
  .extend({ prompt: z.string().min(1) });

export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export interface CompletionChoice {
  index: number;
  text: string;
  finish_reason: ChatFinishReason | null;
  logprobs: null;
}

/** The whole response and each streamed chunk have this shape (a chunk's finish_reason is null
 * until the last). */
export interface Completion {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: CompletionChoice[];
  /** Streamed: present (null until the last chunk) when stream_options.include_usage is set. */
  usage?: CompletionUsage | null;
}
