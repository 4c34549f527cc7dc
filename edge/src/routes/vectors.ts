// A steerable model's vectors as files: GET /v1/steerable-models/{id}/vectors/{trait} downloads a
// trait's vector as the llama.cpp control-vector GGUF it is stored as (llama.cpp's
// --control-vector and repeng read it); POST /v1/steerable-models/import?trait=NAME&label=BASE
// takes such a file and makes it a new ready steerable model with that one trait.
import { Hono } from "hono";
import type { ModelObject } from "../../../shared/api/models.ts";
import { importVectorQuerySchema } from "../../../shared/api/steerable-models.ts";
import { type ControlVector, parseControlVector } from "../../../shared/control-vector.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import { parseQuery } from "../../../shared/http/query.ts";
import type { EdgeEnv } from "../env.ts";
import { sha256Hex } from "../lib/ids.ts";
import { idempotent } from "../middleware/idempotency.ts";
import { requireServedModel } from "../nodes/base-models.ts";
import { vectorKey } from "../nodes/vectors.ts";
import { insertModel, requireModel, toApiModel } from "../training/models.ts";
import { trainerFor } from "../training/reconcile.ts";

export const vectorRoutes = new Hono<EdgeEnv>()
  .get("/:id/vectors/:trait", async (c) => {
    const { db, bucket } = trainerFor(c.env);
    const model = await requireModel(db, c.get("caller").accountId, c.req.param("id"));
    const name = c.req.param("trait");
    const trait = model.traits.find((candidate) => candidate.name === name);
    if (!trait) {
      const known = model.traits.map((candidate) => candidate.name).join(", ");
      const message = `${model.id} has no trait ${JSON.stringify(name)} (its traits: ${known})`;
      throw new ApiError(404, message, "trait_not_found", "trait");
    }
    if (!trait.vectorHash) {
      const message = `trait ${name} has no vector yet: its model is ${model.status}`;
      throw new ApiError(409, message, "vector_not_ready", "trait");
    }
    const object = await bucket.get(vectorKey(trait.vectorHash));
    if (!object)
      throw new ApiError(
        500,
        `vector ${trait.vectorHash} is missing from storage`,
        "vector_missing",
      );
    return c.body(object.body, 200, {
      "content-type": "application/octet-stream",
      "content-length": String(object.size),
      "content-disposition": `attachment; filename="${model.id}-${name}.gguf"`,
      etag: object.httpEtag,
    });
  })
  .post("/import", idempotent, async (c) => {
    const query = parseQuery(c.req.raw, importVectorQuerySchema);
    // Buffered: R2 stores only bodies of known length, and the file is parsed first anyway.
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const trainer = trainerFor(c.env);
    const base = await requireServedModel(trainer.pool, query.label, "label");
    checkFits(readVector(bytes), base);
    const baseModel = base.id;
    const hash = await sha256Hex(bytes);
    await trainer.bucket.put(vectorKey(hash), bytes);
    const model = await insertModel(trainer.db, {
      accountId: c.get("caller").accountId,
      label: query.label,
      baseModel,
      // An imported vector comes without the examples it was made from.
      dimensions: {
        [query.trait]: { positive_examples: [], negative_examples: [], vectorHash: hash },
      },
    });
    return c.json(toApiModel(model), 201);
  });

function readVector(bytes: Uint8Array): ControlVector {
  try {
    return parseControlVector(bytes);
  } catch (error) {
    const message = `the body must be a llama.cpp control-vector GGUF: ${(error as Error).message}`;
    throw new ApiError(400, message, "invalid_control_vector", "body");
  }
}

/** A vector steers layers 1 to layers - 1 (llama.cpp never steers layer 0), at the model's width. */
function checkFits(vector: ControlVector, base: ModelObject): void {
  const { layers, width } = base.metadata;
  for (const [layer, direction] of vector.directions) {
    if (layer < 1 || layer >= layers || direction.length !== width) {
      throw new ApiError(
        400,
        `the vector does not fit ${base.id} (layers 1 to ${layers - 1}, width ${width}): its layer ${layer} has ${direction.length} values`,
        "control_vector_shape",
        "body",
      );
    }
  }
}
