// GET /: the original's health check (its client's health_check), with where to go next.
import { z } from "zod";

export const rootAnswerSchema = z
  .object({
    status: z.literal("success"),
    message: z.string(),
    docs: z.string().describe("The API reference, a page"),
    openapi: z.string().describe("The OpenAPI 3.1 document"),
    playground: z.string().describe("A page to make and try steerable models"),
  })
  .meta({ id: "Root" });
