// Extraction jobs over HTTP: POST /v1/extractions (202 and the queued job), GET and DELETE
// /v1/extractions/{id}. The dataset is checked and tokenized before the 202, so a bad one is a 400
// naming the field.
import { Hono } from "hono";
import { extractionRequestSchema } from "../../../shared/api/extractions.ts";
import { parseJsonBody } from "../../../shared/http/json-body.ts";
import { pairDataset, personaDataset } from "../../extraction/dataset.ts";
import { defaultLayers, steerableLayers } from "../../extraction/extract.ts";
import type { AppContext } from "../app.ts";

export function extractionRoutes({ engine, extractions }: AppContext): Hono {
  const app = new Hono();
  app.post("/v1/extractions", async (c) => {
    const request = await parseJsonBody(c.req.raw, extractionRequestSchema);
    const pairs = request.personas
      ? personaDataset(engine, request.personas)
      : pairDataset(engine, request.pairs ?? []);
    const { layerCount } = engine.model.metadata;
    const layers = steerableLayers(request.layers ?? defaultLayers(layerCount), layerCount);
    return c.json(
      extractions.submit({ pairs, method: request.method ?? "pca", layers, name: request.name }),
      202,
    );
  });
  app.get("/v1/extractions/:id", (c) => c.json(extractions.get(c.req.param("id"))));
  app.delete("/v1/extractions/:id", (c) => c.json(extractions.cancel(c.req.param("id"))));
  return app;
}
