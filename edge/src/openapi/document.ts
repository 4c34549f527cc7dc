// The OpenAPI 3.1 document of the edge's public API, generated from the operation table and the
// zod schemas (z.toJSONSchema writes JSON Schema 2020-12, the dialect OpenAPI 3.1 uses as is).
import { z } from "zod";
import { IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from "../middleware/idempotency.ts";
import {
  REQUEST_SCHEMAS,
  RESPONSE_SCHEMAS,
  type RequestSchemaName,
  type ResponseSchemaName,
} from "./components.ts";
import { GGUF, OPERATIONS, type Operation, TAGS } from "./operations.ts";

type JsonSchema = Record<string, unknown>;
type Content = Record<string, { schema: JsonSchema }>;

/** bearer: a customer's API key; operator: the deployment's OPERATOR_TOKEN. */
type SecurityScheme = "bearer" | "operator";
type SecurityRequirement = Partial<Record<SecurityScheme, []>>;

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Content;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  /** Empty for operations that need no credential, the operator scheme for the operator's; absent
   * where the document's bearer scheme (an API key) applies. */
  security?: SecurityRequirement[];
  parameters: OpenApiParameter[];
  requestBody?: { required: boolean; content: Content };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  security: SecurityRequirement[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<Operation["method"], OpenApiOperation>>>;
  components: {
    securitySchemes: Record<
      SecurityScheme,
      { type: "http"; scheme: "bearer"; description: string }
    >;
    schemas: Record<string, JsonSchema>;
  };
}

let built: OpenApiDocument | undefined;

/** The document, built once per Worker instance. */
export function openApiDocument(): OpenApiDocument {
  built ??= {
    openapi: "3.1.0",
    info: {
      title: "Steer API",
      version: "v1",
      description:
        "A steerable LLM API: steerable models made from contrastive examples per trait, and " +
        "completions steered by a multiplier per trait. Errors are OpenAI's error object.",
    },
    security: [{ bearer: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths: pathItems(),
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API key: sk-steer-…" },
        operator: {
          type: "http",
          scheme: "bearer",
          description: "The deployment's operator token (its OPERATOR_TOKEN secret)",
        },
      },
      schemas: {
        ...componentSchemas(REQUEST_SCHEMAS, "input"),
        ...componentSchemas(RESPONSE_SCHEMAS, "output"),
      },
    },
  };
  return built;
}

function pathItems(): OpenApiDocument["paths"] {
  const paths: OpenApiDocument["paths"] = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] = {
      ...paths[operation.path],
      [operation.method]: operationObject(operation),
    };
  }
  return paths;
}

function operationObject(operation: Operation): OpenApiOperation {
  return {
    operationId: `${operation.method}${operation.path.replace(/[^A-Za-z0-9]+/g, "_")}`,
    summary: operation.summary,
    tags: [operation.tag],
    ...security(operation),
    parameters: parameters(operation),
    ...(operation.body
      ? { requestBody: { required: !operation.bodyOptional, content: content(operation.body) } }
      : {}),
    responses: responses(operation),
  };
}

/** Where an operation needs other than the document's default, an API key. */
function security(operation: Operation): Pick<OpenApiOperation, "security"> {
  if (operation.public) return { security: [] };
  if (operation.operatorOnly) return { security: [{ operator: [] }] };
  return {};
}

function parameters(operation: Operation): OpenApiParameter[] {
  const inPath = [...operation.path.matchAll(/\{(\w+)\}/g)].map(
    ([, name = ""]): OpenApiParameter => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }),
  );
  const inQuery = operation.query ? queryParameters(operation.query) : [];
  const idempotencyKey: OpenApiParameter = {
    name: IDEMPOTENCY_KEY_HEADER,
    in: "header",
    required: false,
    schema: { type: "string", minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
  };
  return [...inPath, ...inQuery, ...(operation.idempotent ? [idempotencyKey] : [])];
}

function queryParameters(query: z.ZodObject): OpenApiParameter[] {
  const schema = jsonSchema(query, "input");
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: property,
  }));
}

function content(body: NonNullable<Operation["body"] | Operation["answer"]["body"]>): Content {
  if (body === GGUF) {
    return {
      "application/octet-stream": {
        schema: { type: "string", contentMediaType: "application/octet-stream" },
      },
    };
  }
  if (body === "html") return { "text/html": { schema: { type: "string" } } };
  return { "application/json": { schema: ref(body) } };
}

function responses(operation: Operation): Record<string, OpenApiResponse> {
  const { answer } = operation;
  const answered: Content = answer.body ? content(answer.body) : untyped();
  if (answer.streams) answered["text/event-stream"] = { schema: eventStream(answer.streams) };
  const errors: Record<string, OpenApiResponse> = {
    default: error("the request is invalid (400) or names something unknown (404)"),
  };
  if (operation.operatorOnly) {
    errors["401"] = error("the operator token is missing or wrong");
    errors["403"] = error("the deployment sets no OPERATOR_TOKEN: the operator API is off");
  } else if (!operation.public) {
    errors["401"] = error("the API key is missing, unknown or revoked");
    errors["429"] = {
      ...error("the key's requests or tokens per minute are spent"),
      headers: {
        "Retry-After": {
          description: "seconds until the window ends",
          schema: { type: "integer" },
        },
      },
    };
  }
  if (operation.adminOnly) errors["403"] = error("the API key is not admin-scoped");
  if (operation.idempotent) {
    errors["409"] = error(`a request with this ${IDEMPOTENCY_KEY_HEADER} is still running`);
    errors["422"] = error(`this ${IDEMPOTENCY_KEY_HEADER} was used for a different request`);
  }
  return { [answer.status]: { description: answer.description, content: answered }, ...errors };
}

/** A JSON answer with no schema of its own, described in words only. */
function untyped(): Content {
  return { "application/json": { schema: { type: "object" } } };
}

/** Server-sent events, which OpenAPI 3.1 can only call a string: their data's schema is named in
 * words (it is among the components). */
function eventStream(data: ResponseSchemaName): JsonSchema {
  return {
    type: "string",
    description: `server-sent events: each one's data is a ${data} as JSON, the last one's [DONE]`,
  };
}

function error(description: string): OpenApiResponse {
  return { description, content: { "application/json": { schema: ref("Error") } } };
}

function ref(name: RequestSchemaName | ResponseSchemaName): JsonSchema {
  return { $ref: schemaUri(name) };
}

function schemaUri(name: string): string {
  return `#/components/schemas/${name}`;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}

/** Named schemas as components, where one inside another (a model in a list) is a reference. */
function componentSchemas(
  schemas: Record<string, z.ZodType>,
  io: "input" | "output",
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, { io, uri: schemaUri });
  return mapValues(converted, ({ $schema: _dialect, $id: _id, ...rest }) => rest);
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}
