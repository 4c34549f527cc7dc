// The GPU node's vector store: control-vector GGUF files, each stored under its sha256, that
// `steering` names. The edge uploads from R2 what a node lacks, and downloads what a node extracted.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { errorAnswers, jsonAnswer } from "../http/openapi.ts";
import { MAX_DIRECTION_NORM, MAX_VECTOR_BYTES } from "../limits.ts";
import { listOf } from "../openai/list.ts";

export const VECTOR_ID = /^[0-9a-f]{64}$/;

export const vectorObjectSchema = z
  .object({
    id: z.string().regex(VECTOR_ID).describe("The file's sha256, in hex"),
    object: z.literal("vector"),
    layers: z.array(z.number().int()).describe("The layers it steers, ascending"),
    width: z.number().int(),
    bytes: z.number().int(),
  })
  .meta({ id: "Vector" });

export type VectorObject = z.infer<typeof vectorObjectSchema>;

export const vectorListSchema = listOf(vectorObjectSchema);

export const vectorDeletedSchema = z.object({
  id: z.string(),
  object: z.literal("vector"),
  deleted: z.literal(true),
});

const gguf = {
  "application/octet-stream": {
    schema: z.string().describe("A llama.cpp control-vector GGUF file"),
  },
};
const unauthorized = { 401: "The node's bearer token is missing or wrong" } as const;
const vectorId = z.object({ id: z.string().describe("The vector's sha256") });

export const uploadVectorRoute = createRoute({
  method: "post",
  path: "/v1/vectors",
  summary:
    "Store a control-vector GGUF (checked against the model's layers and width, and its norms)",
  request: { body: { required: true, content: gguf } },
  responses: {
    201: jsonAnswer(vectorObjectSchema, "Stored (storing the same bytes again is the same vector)"),
    ...errorAnswers({
      ...unauthorized,
      400: `Not a control-vector GGUF, or it does not fit the model: its layers, its width, or a direction's norm (not finite, or over ${MAX_DIRECTION_NORM})`,
      413: `Over ${MAX_VECTOR_BYTES} bytes`,
    }),
  },
});

export const listVectorsRoute = createRoute({
  method: "get",
  path: "/v1/vectors",
  summary: "The stored vectors",
  responses: {
    200: jsonAnswer(vectorListSchema, "The vectors"),
    ...errorAnswers(unauthorized),
  },
});

export const getVectorRoute = createRoute({
  method: "get",
  path: "/v1/vectors/{id}",
  summary: "A stored vector's GGUF file",
  request: { params: vectorId },
  responses: {
    200: { description: "The file", content: gguf },
    ...errorAnswers({ ...unauthorized, 404: "No such vector" }),
  },
});

export const deleteVectorRoute = createRoute({
  method: "delete",
  path: "/v1/vectors/{id}",
  summary: "Forget a stored vector",
  request: { params: vectorId },
  responses: {
    200: jsonAnswer(vectorDeletedSchema, "Deleted"),
    ...errorAnswers({ ...unauthorized, 404: "No such vector" }),
  },
});
