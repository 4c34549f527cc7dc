// GET /v1/models: the one base model a node serves, with its metadata.

export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  metadata: {
    architecture: string;
    name: string | null;
    layers: number;
    width: number;
    context_length: number;
    parameters: number;
    size_bytes: number;
  };
}

export interface ModelList {
  object: "list";
  data: ModelObject[];
}
