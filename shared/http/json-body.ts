// A request's JSON body, checked against a zod schema; errors in the API's shape.
import type { z } from "zod";
import { ApiError, fromZodError } from "./api-error.ts";

/** `optional`: an empty body is read as `{}` (for a request whose every field is optional). */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { optional?: boolean } = {},
): Promise<z.infer<S>> {
  let body: unknown;
  try {
    const text = await request.text();
    body = options.optional && text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, "the body is not valid JSON", "invalid_json", "body");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}
