// OpenAI's list object, {object: "list", data: [...]}, which every listing of the edge and the
// GPU node answers with.
import { z } from "zod";

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ object: z.literal("list"), data: z.array(item) });
}
