// The node's app in process, on an engine and a vectors directory: tests call app.request() on it.
// Its request log goes to `records` rather than the test output.
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type AppOptions, createApp } from "../../gpu-node/server/app.ts";
import type { RequestRecord } from "../../gpu-node/server/request-log.ts";
import { VectorStore } from "../../gpu-node/server/vector-store.ts";

export interface InProcessNode {
  app: ReturnType<typeof createApp>;
  store: VectorStore;
  records: RequestRecord[];
}

export async function openApp(
  engine: Engine,
  directory: string,
  options: Partial<AppOptions> = {},
): Promise<InProcessNode> {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const store = options.store ?? (await VectorStore.open(directory, { layerCount, embeddingSize }));
  const records: RequestRecord[] = [];
  const app = createApp({
    engine,
    store,
    modelId: "steer-test",
    log: (record) => records.push(record),
    ...options,
  });
  return { app, store, records };
}
