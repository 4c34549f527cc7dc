// A request's query string, checked against a zod schema; errors in the API's shape, naming the
// parameter at fault.
import type { z } from "zod";
import { fromZodError } from "./api-error.ts";

export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}
