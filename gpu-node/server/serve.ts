// steer serve: the GPU node's HTTP service on one model.
import { serve as listen } from "@hono/node-server";
import { numberOption, parse, required } from "../cli/args.ts";
import { Engine } from "../engine/engine.ts";
import { modelIdOf, resolveModelSource } from "../engine/model-source.ts";
import { createApp } from "./app.ts";
import { ExtractionJobs } from "./extraction-jobs.ts";
import { PresetStore } from "./preset-store.ts";
import { VectorStore } from "./vector-store.ts";

export async function serve(argv: string[]): Promise<void> {
  const o = parse(argv, {
    model: { type: "string" },
    "models-dir": { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "vectors-dir": { type: "string" },
    "context-size": { type: "string" },
    threads: { type: "string" },
  });
  const modelSpec = required(o.model, "--model");
  const port = numberOption(o.port, "--port") ?? 8080;
  const hostname = o.host ?? "127.0.0.1";
  const modelPath = await resolveModelSource(modelSpec, { cacheDir: o["models-dir"] });
  const engine = await Engine.load(modelPath, {
    contextSize: numberOption(o["context-size"], "--context-size"),
    threads: numberOption(o.threads, "--threads"),
  });
  const { layerCount, embeddingSize } = engine.model.metadata;
  const store = await VectorStore.open(o["vectors-dir"] ?? ".cache/vectors", {
    layerCount,
    embeddingSize,
  });
  const presets = await PresetStore.open(store);
  let closing = false;
  const extractions = new ExtractionJobs(engine, store, presets);
  const app = createApp({
    engine,
    store,
    presets,
    extractions,
    modelId: modelIdOf(modelSpec),
    token: process.env.STEER_NODE_TOKEN || undefined,
    isClosing: () => closing,
  });
  const server = listen({ fetch: app.fetch, port, hostname }, (info) => {
    const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
    process.stdout.write(`steer serve: listening on http://${host}:${info.port}\n`);
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (closing) return;
      closing = true;
      // Stop accepting, cancel what runs (its streams end), then let open connections drain.
      server.close(() => resolve());
      extractions.close();
      void engine.close().then(() => {
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
