// The generations running under an id their sender gave (GENERATION_ID_HEADER), so that it can stop
// one without closing the connection: a whole answer's sender waits for the answer, which then
// comes at once, with what was made and its usage. POST /v1/generations/{id}/cancel
// (shared/node-api/generation.ts's cancelGenerationRoute).
import { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../../shared/http/api-error.ts";
import { cancelGenerationRoute } from "../../shared/node-api/generation.ts";
import type { AppContext } from "./app.ts";

export class CancellableGenerations {
  private readonly running = new Map<string, AbortController>();

  /** Registers a generation under `id`; the returned function forgets it (when it has ended). */
  add(id: string, abort: AbortController): () => void {
    this.running.set(id, abort);
    return () => {
      if (this.running.get(id) === abort) this.running.delete(id);
    };
  }

  /** Stops the generation `id`; false when none runs under it. */
  cancel(id: string): boolean {
    const abort = this.running.get(id);
    abort?.abort();
    return abort !== undefined;
  }
}

export function generationRoutes({ generations }: AppContext): OpenAPIHono {
  return new OpenAPIHono().openapi(cancelGenerationRoute, (c) => {
    const { id } = c.req.valid("param");
    if (!generations.cancel(id)) {
      throw new ApiError(404, `no generation ${id} is running`, "generation_not_found", "id");
    }
    return c.json({ id, object: "generation" as const, cancelled: true as const }, 200);
  });
}
