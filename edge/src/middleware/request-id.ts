// Every request's id, the edge's own (a client's X-Request-Id is not taken): its answer carries it
// in x-request-id, its GPU node logs under it, and its usage row is keyed by it, which a client's
// choice would let two requests share (and be billed once).
import { createMiddleware } from "hono/factory";
import { REQUEST_ID_HEADER } from "../../../shared/node-api/headers.ts";
import type { EdgeEnv } from "../env.ts";

export const requestId = createMiddleware<EdgeEnv>(async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  c.header(REQUEST_ID_HEADER, id);
  await next();
});
