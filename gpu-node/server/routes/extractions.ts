// Extraction jobs over HTTP (shared/node-api/extractions.ts): POST /v1/extractions (202 and the
// queued job), POST /v1/extractions/validate (what it would capture, nothing queued), GET and
// DELETE /v1/extractions/{id}. The contract's schema checks the dataset's shape; then the dataset
// is tokenized, counted against the limits and fitted to the model, and the layers planned
// (layer-choice.ts: named layers checked, measurement falling back to the fixed band on too few
// pairs), the same way for submit and validate, so a bad one is a 400 naming the field: the
// dataset's and the layers' errors name the request's fields (personas.positive[3],
// pairs[2].negative, layers), the engine taking them as the request gives them.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import {
  cancelExtractionRoute,
  type ExtractionPlan,
  type extractionRequestSchema,
  getExtractionRoute,
  submitExtractionRoute,
  validateExtractionRoute,
} from "../../../shared/node-api/extractions.ts";
import type { Engine } from "../../engine/engine.ts";
import { pairDataset, personaDataset } from "../../extraction/dataset.ts";
import { planLayers } from "../../extraction/layer-choice.ts";
import type { AppContext } from "../app.ts";
import type { JobInput } from "../extraction-jobs.ts";

export function extractionRoutes({ engine, extractions }: AppContext): OpenAPIHono {
  return new OpenAPIHono()
    .openapi(submitExtractionRoute, async (c) => {
      const input = await jobInput(engine, c.req.valid("json"));
      return c.json(extractions.start(input), 202);
    })
    .openapi(validateExtractionRoute, async (c) =>
      c.json(plan(engine, await jobInput(engine, c.req.valid("json"))), 200),
    )
    .openapi(getExtractionRoute, (c) => c.json(extractions.get(c.req.valid("param").id), 200))
    .openapi(cancelExtractionRoute, (c) =>
      c.json(extractions.cancel(c.req.valid("param").id), 200),
    );
}

/** The job a request asks for, checked: its dataset, then its layers against the pairs it makes. */
async function jobInput(
  engine: Engine,
  request: z.output<typeof extractionRequestSchema>,
): Promise<JobInput> {
  const pairs = request.personas
    ? await personaDataset(engine, request.personas)
    : await pairDataset(engine, request.pairs ?? []);
  planLayers(request.layers, engine.model.metadata.layerCount, pairs.length);
  return { pairs, method: request.method ?? "pca", layers: request.layers };
}

function plan(engine: Engine, { pairs, method, layers }: JobInput): ExtractionPlan {
  const tokens = pairs.reduce((sum, pair) => sum + pair.positive.length + pair.negative.length, 0);
  const layerPlan = planLayers(layers, engine.model.metadata.layerCount, pairs.length);
  return {
    object: "extraction_plan",
    method,
    pairs: pairs.length,
    tokens,
    layers: layerPlan.layers,
    layers_by: layerPlan.by,
  };
}
