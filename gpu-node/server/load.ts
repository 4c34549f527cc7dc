// The node's load (shared/node-api/load.ts): on every answer as LOAD_HEADER, and in /readyz's body,
// so that the edge routes by what each node last said of itself.
import type { MiddlewareHandler } from "hono";
import { LOAD_HEADER } from "../../shared/node-api/headers.ts";
import { formatLoad, type NodeLoad } from "../../shared/node-api/load.ts";
import type { Engine } from "../engine/engine.ts";
import type { VectorStore } from "./vector-store.ts";

export function nodeLoad(engine: Engine, store: VectorStore): NodeLoad {
  const { freeSequences, queueDepth } = engine.stats;
  return { free_sequences: freeSequences, queue_depth: queueDepth, vectors: store.held };
}

/** Sets LOAD_HEADER once the answer is made: a generation it admitted counts in it. */
export function reportLoad(engine: Engine, store: VectorStore): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set(LOAD_HEADER, formatLoad(nodeLoad(engine, store)));
  };
}
