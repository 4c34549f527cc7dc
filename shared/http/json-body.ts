// A request's JSON body, checked against a zod schema; errors in the API's shape.
import type { z } from "zod";
import { ApiError, fromZodError } from "./api-error.ts";

export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new ApiError(400, "the body is not valid JSON", "invalid_json", "body");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}
