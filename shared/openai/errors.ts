// The error body every endpoint of the edge and of the GPU node answers with, as OpenAI's API
// shapes it.
import { z } from "zod";

export const errorBodySchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z
        .string()
        .describe(
          "A broad class: invalid_request_error, authentication_error, permission_error, " +
            "not_found_error, conflict_error, rate_limit_error, server_error",
        ),
      param: z
        .string()
        .nullable()
        .describe('The request field at fault, when there is one (e.g. "messages[0].role")'),
      code: z.string().nullable().describe("What went wrong, for programs to tell cases apart"),
    }),
  })
  .meta({ id: "Error" });

export type ApiErrorBody = z.infer<typeof errorBodySchema>;
