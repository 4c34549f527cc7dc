// OpenAI's legacy text completions on the wire (a raw `prompt`, no chat template): the answer, and
// a streamed answer's chunks, which have the same shape. Only the GPU node serves them.
import { z } from "zod";
import { steeringReportSchema } from "../steering/conditions.ts";
import { chatFinishReasonSchema, completionUsageSchema } from "./chat.ts";

export const completionChoiceSchema = z.object({
  index: z.number().int(),
  text: z.string(),
  finish_reason: chatFinishReasonSchema.nullable(),
  logprobs: z.null(),
});

export type CompletionChoice = z.infer<typeof completionChoiceSchema>;

/** The whole answer; each streamed chunk has this shape too (finish_reason null until the last). */
export const completionSchema = z
  .object({
    id: z.string(),
    object: z.literal("text_completion"),
    created: z.number().int().describe("Unix seconds"),
    model: z.string(),
    choices: z.array(completionChoiceSchema),
    usage: completionUsageSchema
      .nullish()
      .describe("Whole answers have it; streamed ones with stream_options.include_usage"),
    steering_report: steeringReportSchema
      .optional()
      .describe("When the request steered; streamed, in the chunk with the finish_reason"),
  })
  .meta({ id: "Completion" });

export type Completion = z.infer<typeof completionSchema>;
