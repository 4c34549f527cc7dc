// Extraction jobs over HTTP: POST /v1/extractions (202 and the queued job), GET and DELETE
// /v1/extractions/{id}. The dataset is checked and tokenized before the 202, so a bad one is a 400
// naming the field.
import { Hono } from "hono";
import {
  type ExtractionRequest,
  extractionRequestSchema,
} from "../../../shared/api/extractions.ts";
import { EngineError } from "../../engine/errors.ts";
import { pairDataset, personaDataset } from "../../extraction/dataset.ts";
import { defaultLayers } from "../../extraction/extract.ts";
import type { AppContext } from "../app.ts";
import { ApiError, fromZodError } from "../errors.ts";

export function extractionRoutes({ engine, extractions }: AppContext): Hono {
  const app = new Hono();
  app.post("/v1/extractions", async (c) => {
    const request = parseRequest(await readJson(c.req.raw));
    const pairs = request.personas
      ? personaDataset(engine, request.personas)
      : pairDataset(engine, request.pairs ?? []);
    const { layerCount } = engine.model.metadata;
    const layers = request.layers ?? defaultLayers(layerCount);
    const outside = layers.find((layer) => layer >= layerCount);
    if (outside !== undefined) {
      throw new EngineError(
        "layer_out_of_range",
        `layer ${outside} cannot be steered: this model steers layers 1 to ${layerCount - 1}`,
        "layers",
      );
    }
    return c.json(extractions.submit({ pairs, method: request.method ?? "pca", layers }), 202);
  });
  app.get("/v1/extractions/:id", (c) => c.json(extractions.get(c.req.param("id"))));
  app.delete("/v1/extractions/:id", (c) => c.json(extractions.cancel(c.req.param("id"))));
  return app;
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ApiError(400, "the body is not valid JSON", "invalid_json", "body");
  }
}

function parseRequest(body: unknown): ExtractionRequest {
  const parsed = extractionRequestSchema.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}
