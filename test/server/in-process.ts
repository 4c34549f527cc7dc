// The node's app in process, on an engine and a vectors directory: tests call app.request() on it.
// Its request log goes to `records` rather than the test output.
import type { Engine } from "../../gpu-node/engine/engine.ts";
import { type AppOptions, createApp } from "../../gpu-node/server/app.ts";
import { PresetStore } from "../../gpu-node/server/preset-store.ts";
import type { RequestRecord } from "../../gpu-node/server/request-log.ts";
import { VectorStore } from "../../gpu-node/server/vector-store.ts";

export interface InProcessNode {
  app: ReturnType<typeof createApp>;
  store: VectorStore;
  presets: PresetStore;
  records: RequestRecord[];
}

export async function openApp(
  engine: Engine,
  directory: string,
  options: Partial<AppOptions> = {},
): Promise<InProcessNode> {
  const { layerCount, embeddingSize } = engine.model.metadata;
  const store = options.store ?? (await VectorStore.open(directory, { layerCount, embeddingSize }));
  const presets = options.presets ?? (await PresetStore.open(store));
  const records: RequestRecord[] = [];
  const app = createApp({
    engine,
    store,
    presets,
    modelId: "steer-test",
    log: (record) => records.push(record),
    ...options,
  });
  return { app, store, presets, records };
}
