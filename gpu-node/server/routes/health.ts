// Liveness, readiness and the model list (shared/node-api/models.ts).
import { OpenAPIHono } from "@hono/zod-openapi";
import { healthRoute, listModelsRoute, readyRoute } from "../../../shared/node-api/models.ts";
import type { ModelList } from "../../../shared/openai/models.ts";
import type { AppContext } from "../app.ts";
import { nodeLoad } from "../load.ts";

export function healthRoutes({
  engine,
  store,
  modelId,
  created,
  isClosing,
  serving,
}: AppContext): OpenAPIHono {
  return new OpenAPIHono()
    .openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(readyRoute, (c) =>
      isClosing()
        ? c.json({ status: "stopping" as const }, 503)
        : c.json({ status: "ready" as const, load: nodeLoad(engine, store) }, 200),
    )
    .openapi(listModelsRoute, (c) => {
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
              ...(serving ? { serving } : {}),
            },
          },
        ],
      };
      return c.json(body, 200);
    });
}
