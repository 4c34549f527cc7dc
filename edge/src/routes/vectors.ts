// A steerable model's vectors as files: GET /v1/steerable-models/{id}/vectors/{trait} downloads a
// trait's vector as the llama.cpp control-vector GGUF it is stored as (llama.cpp's
// --control-vector and repeng read it); POST /v1/steerable-models/import?trait=NAME takes such a
// file and makes it a new ready steerable model with that one trait.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  type ControlVector,
  parseControlVector,
  vectorProblem,
} from "../../../shared/control-vector.ts";
import { ApiError, rejectInvalid } from "../../../shared/http/api-error.ts";
import { limitBody } from "../../../shared/http/body-limit.ts";
import { errorAnswers, jsonAnswer } from "../../../shared/http/openapi.ts";
import { MAX_DIRECTION_NORM, MAX_VECTOR_BYTES } from "../../../shared/limits.ts";
import { IDEMPOTENCY_ERRORS, INVALID, KEY_ERRORS, NODE_ERRORS } from "../api/errors.ts";
import { importVectorQuerySchema, steerableModelSchema } from "../api/steerable-models.ts";
import type { EdgeEnv } from "../env.ts";
import { backendFor } from "../lib/backend.ts";
import { sha256Hex } from "../lib/ids.ts";
import { idempotencyHeaders, idempotent } from "../middleware/idempotency.ts";
import { requireServedModel } from "../nodes/base-models.ts";
import { vectorKey } from "../nodes/vectors.ts";
import { TAGS } from "../openapi/tags.ts";
import { insertModel, requireModel, toApiModel } from "../training/models.ts";

const tags = [TAGS.steerableModels.name];
const gguf = {
  "application/octet-stream": {
    schema: z.string().describe("A llama.cpp control-vector GGUF file"),
  },
};

/** The import's path: its body is a vector file, with a limit of its own (app.ts). */
export const IMPORT_PATH = "/v1/steerable-models/import";

export const vectorRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

vectorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/steerable-models/{id}/vectors/{trait}",
    tags,
    summary: "Download a trait's vector as a llama.cpp control-vector GGUF",
    request: { params: z.object({ id: z.string(), trait: z.string() }) },
    responses: {
      200: { description: "The control-vector GGUF", content: gguf },
      ...errorAnswers({
        ...KEY_ERRORS,
        404: "You have no such model, or it has no such trait",
        409: "The trait has no vector yet: its model is still training, or failed",
      }),
    },
  }),
  async (c) => {
    const { id, trait: name } = c.req.valid("param");
    const { db, bucket } = backendFor(c.env);
    const model = await requireModel(db, c.get("caller").accountId, id);
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
    if (!object) {
      const message = `vector ${trait.vectorHash} is missing from storage`;
      throw new ApiError(500, message, "vector_missing");
    }
    return c.body(object.body, 200, {
      "content-type": "application/octet-stream",
      "content-length": String(object.size),
      "content-disposition": `attachment; filename="${model.id}-${name}.gguf"`,
      etag: object.httpEtag,
    });
  },
);

vectorRoutes.openapi(
  createRoute({
    method: "post",
    path: IMPORT_PATH,
    tags,
    summary: "Import a control-vector GGUF as a new, ready steerable model of one trait",
    // A vector no GPU node would take is refused before it is read, let alone made a model.
    middleware: [limitBody(MAX_VECTOR_BYTES), idempotent],
    request: {
      query: importVectorQuerySchema,
      headers: idempotencyHeaders,
      body: { required: true, content: gguf },
    },
    responses: {
      201: jsonAnswer(steerableModelSchema, "The steerable model, status ready"),
      ...errorAnswers({
        ...KEY_ERRORS,
        ...IDEMPOTENCY_ERRORS,
        400: `${INVALID}; not a control-vector GGUF; or it does not fit the base model's layers and width, or a direction's norm is not finite or over ${MAX_DIRECTION_NORM} (code control_vector_norm)`,
        413: `The file is over ${MAX_VECTOR_BYTES} bytes, the most a GPU node takes (code body_too_large)`,
        503: NODE_ERRORS[503],
      }),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    // Buffered: R2 stores only bodies of known length, and the file is parsed first anyway.
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const backend = backendFor(c.env);
    const base = await requireServedModel(backend.pool, query.model, "model");
    const problem = vectorProblem(readVector(bytes), {
      layerCount: base.metadata.layers,
      embeddingSize: base.metadata.width,
    });
    if (problem)
      throw new ApiError(400, `body: ${problem.message} (${base.id})`, problem.code, "body");
    const hash = await sha256Hex(bytes);
    await backend.bucket.put(vectorKey(hash), bytes);
    const { accountId, keyId } = c.get("caller");
    const model = await insertModel(backend.db, {
      accountId,
      keyId,
      label: query.model_label ?? query.trait,
      baseModel: base.id,
      // An imported vector comes without the examples it was made from.
      dimensions: {
        [query.trait]: { positive_examples: [], negative_examples: [], vectorHash: hash },
      },
    });
    return c.json(toApiModel(model), 201);
  },
);

function readVector(bytes: Uint8Array): ControlVector {
  try {
    return parseControlVector(bytes);
  } catch (error) {
    const message = `the body must be a llama.cpp control-vector GGUF: ${(error as Error).message}`;
    throw new ApiError(400, message, "invalid_control_vector", "body");
  }
}
