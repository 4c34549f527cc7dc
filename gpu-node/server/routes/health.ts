// Liveness, readiness and the model list.
import { Hono } from "hono";
import type { ModelList } from "../../../shared/api/models.ts";
import type { AppContext } from "../app.ts";

export function healthRoutes({ engine, modelId, created, isClosing }: AppContext): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) =>
    isClosing() ? c.json({ status: "stopping" }, 503) : c.json({ status: "ready" }),
  );
  app.get("/v1/models", (c) => {
    const m = engine.model.metadata;
    const body: ModelList = {
      object: "list",
      data: [
        {
          id: modelId,
          object: "model",
          created,
          owned_by: "steer",
          metadata: {
            architecture: m.architecture,
            name: m.name,
            layers: m.layerCount,
            width: m.embeddingSize,
            context_length: engine.contextSize,
            parameters: m.parameterCount,
            size_bytes: m.sizeBytes,
          },
        },
      ],
    };
    return c.json(body);
  });
  return app;
}
