// Extraction jobs over HTTP (shared/node-api/extractions.ts): POST /v1/extractions (202 and the
// queued job), GET and DELETE /v1/extractions/{id}. The contract's schema checks the dataset's
// shape; it is then tokenized and fitted to the model before the 202, so a bad one is a 400 naming
// the field: the dataset's and the layers' errors name the request's fields (personas.positive[3],
// pairs[2].negative, layers), the engine taking them as the request gives them.
import { OpenAPIHono } from "@hono/zod-openapi";
import {
  cancelExtractionRoute,
  getExtractionRoute,
  submitExtractionRoute,
} from "../../../shared/node-api/extractions.ts";
import { pairDataset, personaDataset } from "../../extraction/dataset.ts";
import { defaultLayers, steerableLayers } from "../../extraction/extract.ts";
import type { AppContext } from "../app.ts";

export function extractionRoutes({ engine, extractions }: AppContext): OpenAPIHono {
  return new OpenAPIHono()
    .openapi(submitExtractionRoute, async (c) => {
      const request = c.req.valid("json");
      const pairs = request.personas
        ? await personaDataset(engine, request.personas)
        : await pairDataset(engine, request.pairs ?? []);
      const { layerCount } = engine.model.metadata;
      const layers = steerableLayers(request.layers ?? defaultLayers(layerCount), layerCount);
      return c.json(extractions.submit({ pairs, method: request.method ?? "pca", layers }), 202);
    })
    .openapi(getExtractionRoute, (c) => c.json(extractions.get(c.req.valid("param").id), 200))
    .openapi(cancelExtractionRoute, (c) =>
      c.json(extractions.cancel(c.req.valid("param").id), 200),
    );
}
