// The node's vector store over HTTP: POST /v1/vectors (a control-vector GGUF as the body),
// GET /v1/vectors, GET and DELETE /v1/vectors/{id}.

export interface VectorObject {
  /** sha256 of the GGUF file, in hex. */
  id: string;
  object: "vector";
  /** The layers the vector steers, ascending. */
  layers: number[];
  width: number;
  bytes: number;
}

export interface VectorList {
  object: "list";
  data: VectorObject[];
}

export interface VectorDeleted {
  id: string;
  object: "vector";
  deleted: true;
}

export const VECTOR_ID = /^[0-9a-f]{64}$/;
