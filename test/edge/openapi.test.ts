// The API's description: an OpenAPI 3.1 document generated from the routes' own declarations,
// whose schemas are the zod schemas requests are checked against, and a reference page (Scalar)
// that renders it; both public. Real answers are checked against the schemas the document names.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";
import * as accountsApi from "../../edge/src/api/accounts.ts";
import * as chatApi from "../../edge/src/api/chat.ts";
import * as completionsApi from "../../edge/src/api/completions.ts";
import * as conditionsApi from "../../edge/src/api/conditions.ts";
import * as evaluationsApi from "../../edge/src/api/evaluations.ts";
import * as keysApi from "../../edge/src/api/keys.ts";
import * as mmluApi from "../../edge/src/api/mmlu.ts";
import * as nodesApi from "../../edge/src/api/nodes.ts";
import * as presetsApi from "../../edge/src/api/presets.ts";
import * as rootApi from "../../edge/src/api/root.ts";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import * as steerableModelsApi from "../../edge/src/api/steerable-models.ts";
import * as steeringApi from "../../edge/src/api/steering.ts";
import * as usageApi from "../../edge/src/api/usage.ts";
import * as evaluationWire from "../../shared/evaluation/result.ts";
import * as layersWire from "../../shared/node-api/layers.ts";
import * as chatWire from "../../shared/openai/chat.ts";
import * as errorsWire from "../../shared/openai/errors.ts";
import * as modelsWire from "../../shared/openai/models.ts";
import * as responseFormatWire from "../../shared/openai/response-format.ts";
import * as conditionsWire from "../../shared/steering/conditions.ts";
import { OPERATOR_TOKEN } from "./operator-token.ts";
import { BASE_MODEL, DAY_PROMPT, plantedModel } from "./steered-model.ts";
import { call, newAccount, usageRows } from "./support.ts";
import { post, QUICK_MODEL } from "./training-support.ts";

/** The public API, as method and path. */
const EXPECTED = [
  "get /",
  "post /steerable-model",
  "get /steerable-model",
  "get /steerable-model/{id}",
  "get /steerable-model/{id}/status",
  "delete /steerable-model/{id}",
  "post /completions",
  "post /v1/steerable-models",
  "get /v1/steerable-models",
  "get /v1/steerable-models/{id}",
  "get /v1/steerable-models/{id}/status",
  "delete /v1/steerable-models/{id}",
  "get /v1/steerable-models/{id}/vectors/{trait}",
  "post /v1/steerable-models/import",
  "post /v1/steerable-models/{id}/traits/{trait}/condition",
  "get /v1/steerable-models/{id}/traits/{trait}/condition",
  "delete /v1/steerable-models/{id}/traits/{trait}/condition",
  "post /v1/chat/completions",
  "get /v1/presets",
  "post /v1/presets",
  "post /v1/presets/{name}/install",
  "delete /v1/presets/{name}",
  "get /v1/usage",
  "get /v1/usage/requests",
  "get /v1/models",
  "post /v1/keys",
  "get /v1/keys",
  "delete /v1/keys/{id}",
  "post /v1/evaluations",
  "get /v1/evaluations",
  "get /v1/evaluations/{id}",
  "delete /v1/evaluations/{id}",
  "post /v1/evaluations/{id}/ratings",
  "post /v1/accounts",
  "put /v1/mmlu/{file}",
  "get /v1/mmlu",
  "post /v1/operator/nodes",
  "get /v1/operator/nodes",
  "post /v1/operator/nodes/{id}/drain",
  "delete /v1/operator/nodes/{id}",
];

/** The operator's routes: its token, not an API key. */
const OPERATOR_ROUTES = [
  "post /v1/accounts",
  "put /v1/mmlu/{file}",
  "get /v1/mmlu",
  "post /v1/operator/nodes",
  "get /v1/operator/nodes",
  "post /v1/operator/nodes/{id}/drain",
  "delete /v1/operator/nodes/{id}",
];

const SCHEMAS = "#/components/schemas/";

/** The zod schemas behind the document's named schemas, by name (each names itself: .meta id). */
const NAMED = new Map(
  [
    accountsApi,
    chatApi,
    keysApi,
    presetsApi,
    rootApi,
    steerableModelsApi,
    steeringApi,
    completionsApi,
    usageApi,
    evaluationsApi,
    conditionsApi,
    mmluApi,
    nodesApi,
    evaluationWire,
    layersWire,
    chatWire,
    errorsWire,
    modelsWire,
    responseFormatWire,
    conditionsWire,
  ]
    .flatMap((module) => Object.values(module))
    .filter((value): value is z.ZodType => value instanceof z.ZodType)
    .flatMap((schema) => {
      const id = z.globalRegistry.get(schema)?.id;
      return id ? [[id, schema] as const] : [];
    }),
);

type OpenApiDocument = {
  openapi: string;
  info: { title: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, Record<string, unknown>>;
    securitySchemes: Record<string, unknown>;
  };
};

type OpenApiOperation = {
  summary: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: Record<string, unknown> }> }
  >;
};

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await call("/openapi.json");
  expect(response.status).toBe(200);
  return response.json();
}

function operations(document: OpenApiDocument): [string, OpenApiOperation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, OpenApiOperation] => [
      `${method} ${path}`,
      operation,
    ]),
  );
}

/** Every "$ref" anywhere in a value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === "$ref" && typeof inner === "string" ? [inner] : refsIn(inner),
  );
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document of every public endpoint, served without a key", async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.title).toBeTruthy();
    expect(document.servers).toEqual([{ url: "https://edge.test" }]);
    const listed = operations(document);
    expect(listed.map(([name]) => name).sort()).toEqual([...EXPECTED].sort());
    for (const [name, operation] of listed) {
      expect(operation.summary, name).toBeTruthy();
      // Every error it can answer is declared, with OpenAI's error body.
      const errors = Object.entries(operation.responses).filter(([status]) => status >= "400");
      expect(errors.length, name).toBeGreaterThan(0);
      for (const [status, answer] of errors) {
        expect(answer.content?.["application/json"]?.schema, `${name} ${status}`).toEqual({
          $ref: `${SCHEMAS}Error`,
        });
      }
      const pathParameters = (operation.parameters ?? []).filter((p) => p.in === "path");
      expect(
        pathParameters.map((parameter) => `{${parameter.name}}`),
        name,
      ).toEqual(name.match(/\{\w+\}/g) ?? []);
    }
  });

  it("requires the bearer key everywhere but on the reference and the operator API", async () => {
    const document = await fetchDocument();
    const { securitySchemes } = document.components;
    expect(securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(securitySchemes.operator).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.security).toEqual([{ bearer: [] }]);
    const own = operations(document).filter(([, operation]) => operation.security);
    expect(Object.fromEntries(own)).toEqual(
      Object.fromEntries(
        OPERATOR_ROUTES.map((name) => [
          name,
          expect.objectContaining({ security: [{ operator: [] }] }),
        ]),
      ),
    );
    for (const [name, operation] of operations(document)) {
      if (OPERATOR_ROUTES.includes(name)) continue;
      expect(Object.keys(operation.responses), name).toEqual(
        expect.arrayContaining(["401", "429"]),
      );
    }
  });

  it("describes request bodies and queries with the zod schemas the routes validate with", async () => {
    const document = await fetchDocument();
    const { schemas } = document.components;
    const create = document.paths["/steerable-model"]?.post?.requestBody;
    expect(create?.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/CreateSteerableModel",
    });
    expect(schemas.CreateSteerableModel).toMatchObject({
      type: "object",
      required: ["model_label", "control_dimensions"],
      properties: { control_dimensions: { type: "object" } },
    });
    // A field with a default is optional to send.
    expect(schemas.CreateKey).toMatchObject({
      required: ["name"],
      properties: { scope: { enum: ["admin", "user"], default: "user" } },
    });
    expect(schemas.ChatCompletionRequest).toMatchObject({ required: ["model", "messages"] });
    expect(schemas.Error).toMatchObject({ required: ["error"] });

    // The fields that matter most to a newcomer say what they are.
    expect(schemas.CreateSteerableModel).toMatchObject({
      properties: {
        model_label: { description: expect.stringContaining("label") },
        model: { description: expect.stringContaining("base model") },
        control_dimensions: { description: expect.any(String) },
      },
    });
    expect(schemas.ChatCompletionRequest).toMatchObject({
      properties: { steering: { description: expect.stringContaining("<model id>/<trait>") } },
    });
    // A key's secret is left out of replays, and the document says so.
    expect(schemas.IssuedApiKey).toMatchObject({
      properties: { key: { description: expect.stringContaining("replay") } },
    });

    const usage = document.paths["/v1/usage"]?.get?.parameters ?? [];
    expect(usage.map((parameter) => [parameter.name, parameter.in])).toEqual([
      ["start", "query"],
      ["end", "query"],
      ["model", "query"],
    ]);
    expect(usage[0]?.schema).toMatchObject({ type: "string", format: "date" });
    const keys = document.paths["/v1/keys"]?.post;
    expect(keys?.parameters?.map((parameter) => parameter.name)).toEqual(["idempotency-key"]);
    expect(Object.keys(keys?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "401", "403", "409", "422", "429"]),
    );
  });

  it("describes structured outputs: response_format's kinds and the schema keywords supported", async () => {
    const { schemas } = (await fetchDocument()).components;
    expect(schemas.ChatCompletionRequest).toMatchObject({
      properties: { response_format: { $ref: `${SCHEMAS}ResponseFormat` } },
    });
    const kinds = JSON.stringify(schemas.ResponseFormat);
    for (const kind of ["text", "json_object", "json_schema"]) expect(kinds).toContain(`"${kind}"`);
    for (const word of ["anyOf", "prefixItems", "minLength", "pattern, oneOf"]) {
      expect(kinds).toContain(word);
    }
  });

  it("names the schema of every JSON answer, and each reference resolves", async () => {
    const document = await fetchDocument();
    const untyped = operations(document).filter(([, operation]) =>
      Object.values(operation.responses).some((response) => {
        const json = response.content?.["application/json"];
        return json !== undefined && json.schema.$ref === undefined;
      }),
    );
    expect(untyped.map(([name]) => name)).toEqual([]);
    const { schemas } = document.components;
    for (const name of Object.keys(schemas)) expect(NAMED.has(name), name).toBe(true);
    for (const ref of refsIn(document)) {
      expect(ref.startsWith(SCHEMAS), ref).toBe(true);
      expect(schemas[ref.slice(SCHEMAS.length)], ref).toBeDefined();
    }
    // A schema inside another named one is referenced, not repeated.
    expect(schemas.SteerableModelList).toMatchObject({
      properties: { data: { items: { $ref: `${SCHEMAS}SteerableModel` } } },
    });
    const chat = document.paths["/v1/chat/completions"]?.post?.responses["200"]?.content;
    expect(chat?.["text/event-stream"]?.schema).toEqual({ $ref: `${SCHEMAS}ChatCompletionChunk` });
    expect(schemas.ChatCompletionChunk).toMatchObject({ type: "object" });
  });
});

/** Checks an answer against the schema the document names for it, as it names it for its status;
 * answers the body. */
async function expectDocumented(
  document: OpenApiDocument,
  operation: string,
  response: Response,
): Promise<unknown> {
  const [method = "", path = ""] = operation.split(" ");
  const documented = document.paths[path]?.[method]?.responses[response.status];
  expect(documented, `${operation} answering ${response.status}`).toBeDefined();
  const ref = documented?.content?.["application/json"]?.schema.$ref;
  const schema = NAMED.get(String(ref).slice(SCHEMAS.length));
  expect(schema, `${operation}'s schema`).toBeDefined();
  const body: unknown = await response.json();
  expectFits(schema, body, operation);
  return body;
}

/** `body` fits `schema` and has no field the schema does not name. */
function expectFits(schema: z.ZodType | undefined, body: unknown, what: string) {
  if (!schema) throw new Error(`${what}: no schema`);
  const parsed = schema.safeParse(body);
  expect(parsed.error, what).toBeUndefined();
  // zod leaves out the fields its schema does not name: an undocumented field makes a difference.
  expect(parsed.data, what).toEqual(body);
}

describe("the documented answer schemas", () => {
  it("fit the steerable models' answers, at both paths, imported ones too", async () => {
    const document = await fetchDocument();
    const { accountId, key } = await newAccount();
    const planted = await plantedModel(accountId);
    const vector = Uint8Array.from(atob(inject("plantedVector")), (char) => char.charCodeAt(0));
    const imported = await call(`/v1/steerable-models/import?trait=cheerful&model=${BASE_MODEL}`, {
      key,
      method: "POST",
      body: vector,
    });
    await expectDocumented(document, "post /v1/steerable-models/import", imported);
    for (const base of ["/steerable-model", "/v1/steerable-models"]) {
      const created = (await expectDocumented(
        document,
        `post ${base}`,
        await post(base, QUICK_MODEL, key),
      )) as SteerableModel;
      const page = await expectDocumented(document, `get ${base}`, await call(base, { key }));
      expect(page).toMatchObject({
        // It may have trained since: its status and its layer choices may have moved on.
        data: expect.arrayContaining([
          { ...created, status: expect.any(String), layer_choices: expect.any(Object) },
        ]),
      });
      expect((page as { data: unknown[] }).data).toHaveLength(3);
      const got = await call(`${base}/${planted.id}`, { key });
      expect(await expectDocumented(document, `get ${base}/{id}`, got)).toMatchObject({
        id: planted.id,
        status: "ready",
      });
      const status = await call(`${base}/${planted.id}/status`, { key });
      expect(await expectDocumented(document, `get ${base}/{id}/status`, status)).toEqual({
        id: planted.id,
        status: "ready",
        failure_reason: null,
      });
      const deleted = await call(`${base}/${created.id}`, { key, method: "DELETE" });
      await expectDocumented(document, `delete ${base}/{id}`, deleted);
    }
  });

  it("fit a trait condition's answers", async () => {
    const document = await fetchDocument();
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const operation = "/v1/steerable-models/{id}/traits/{trait}/condition";
    const path = `/v1/steerable-models/${id}/traits/cheerful/condition`;
    const examples = {
      should_fire: ["Tell me about the sea.", "I sail a boat."],
      should_not_fire: ["Tell me about the garden.", "I bake bread."],
    };
    const calibrated = await post(path, examples, key);
    await expectDocumented(document, `post ${operation}`, calibrated);
    await expectDocumented(document, `get ${operation}`, await call(path, { key }));
    const model = await call(`/v1/steerable-models/${id}`, { key });
    expect(await expectDocumented(document, "get /v1/steerable-models/{id}", model)).toMatchObject({
      conditions: { cheerful: expect.any(Object) },
    });
    const deleted = await call(path, { key, method: "DELETE" });
    await expectDocumented(document, `delete ${operation}`, deleted);
    await expectDocumented(document, `get ${operation}`, await call(path, { key }));
  });

  it("fit the inference answers, and a stream's chunks", async () => {
    const document = await fetchDocument();
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const steered = { model: id, prompt: "Hello", control_settings: { cheerful: 1 } };
    const completion = await post(
      "/completions",
      { ...steered, settings: { max_new_tokens: 4 } },
      key,
    );
    await expectDocumented(document, "post /completions", completion);
    const chat = { model: id, messages: DAY_PROMPT, max_tokens: 4, steering: { cheerful: 1 } };
    const whole = await post("/v1/chat/completions", chat, key);
    await expectDocumented(document, "post /v1/chat/completions", whole);

    const stream = await post(
      "/v1/chat/completions",
      { ...chat, stream: true, stream_options: { include_usage: true } },
      key,
    );
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const chunks = (await stream.text())
      .split("\n\n")
      .filter((event) => event.startsWith("data: {"))
      .map((event): unknown => JSON.parse(event.slice("data: ".length)));
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expectFits(NAMED.get("ChatCompletionChunk"), chunk, "a chunk");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4 } });

    await expectDocumented(document, "get /v1/models", await call("/v1/models", { key }));
    await expectDocumented(document, "get /", await call("/", { key }));
    await usageRows(accountId, 3);
    const usage = await expectDocumented(
      document,
      "get /v1/usage",
      await call("/v1/usage", { key }),
    );
    expect(usage).toMatchObject({
      data: expect.arrayContaining([expect.objectContaining({ model: id })]),
    });
    const requests = await expectDocumented(
      document,
      "get /v1/usage/requests",
      await call("/v1/usage/requests", { key }),
    );
    expect(requests).toMatchObject({
      data: expect.arrayContaining([expect.objectContaining({ model: id })]),
    });
  });

  it("fit the presets' answers", async () => {
    const document = await fetchDocument();
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const name = `documented-${crypto.randomUUID().slice(0, 8)}`;
    const preset = { model_id: id, name, description: "cheerful, for the reference" };
    await expectDocumented(document, "post /v1/presets", await post("/v1/presets", preset, key));
    await expectDocumented(document, "get /v1/presets", await call("/v1/presets", { key }));
    const installed = await post(`/v1/presets/${name}/install`, undefined, key);
    await expectDocumented(document, "post /v1/presets/{name}/install", installed);
    const deleted = await call(`/v1/presets/${name}`, { key, method: "DELETE" });
    await expectDocumented(document, "delete /v1/presets/{name}", deleted);
  });

  it("fit the API keys' answers", async () => {
    const document = await fetchDocument();
    const { key } = await newAccount();
    const issued = await post("/v1/keys", { name: "ci" }, key);
    const { id } = (await expectDocumented(document, "post /v1/keys", issued)) as { id: string };
    await expectDocumented(document, "get /v1/keys", await call("/v1/keys", { key }));
    const revoked = await call(`/v1/keys/${id}`, { key, method: "DELETE" });
    await expectDocumented(document, "delete /v1/keys/{id}", revoked);
  });

  it("fit the operator API's answers", async () => {
    const document = await fetchDocument();
    const body = JSON.stringify({ name: "documented" });
    const created = await call("/v1/accounts", { key: OPERATOR_TOKEN, method: "POST", body });
    await expectDocumented(document, "post /v1/accounts", created);
    const refused = await call("/v1/accounts", { method: "POST", body });
    await expectDocumented(document, "post /v1/accounts", refused);
    const csv = new TextEncoder().encode(inject("mmluFiles")["anatomy_dev.csv"]);
    const loaded = await call("/v1/mmlu/anatomy_dev.csv", {
      key: OPERATOR_TOKEN,
      method: "PUT",
      body: csv,
      headers: { "content-type": "text/csv" },
    });
    await expectDocumented(document, "put /v1/mmlu/{file}", loaded);
    const listed = await call("/v1/mmlu", { key: OPERATOR_TOKEN });
    await expectDocumented(document, "get /v1/mmlu", listed);
    const url = env.GPU_NODES;
    const added = await call("/v1/operator/nodes", {
      key: OPERATOR_TOKEN,
      method: "POST",
      body: JSON.stringify({ url }),
    });
    const { id } = (await expectDocumented(document, "post /v1/operator/nodes", added)) as {
      id: string;
    };
    const nodes = await call("/v1/operator/nodes", { key: OPERATOR_TOKEN });
    await expectDocumented(document, "get /v1/operator/nodes", nodes);
    const missing = await call("/v1/operator/nodes/node_none/drain", {
      key: OPERATOR_TOKEN,
      method: "POST",
    });
    await expectDocumented(document, "post /v1/operator/nodes/{id}/drain", missing);
    const unready = await call("/v1/operator/nodes", {
      key: OPERATOR_TOKEN,
      method: "POST",
      body: JSON.stringify({ url: "http://127.0.0.1:9" }),
    });
    await expectDocumented(document, "post /v1/operator/nodes", unready);
    expect(id).toMatch(/^node_/);
  });

  it("fit the evaluations' answers, a result's and a quality card's included", async () => {
    const document = await fetchDocument();
    const { accountId, key } = await newAccount();
    const { id: model } = await plantedModel(accountId);
    const settings = { multipliers: [1], prompts: ["Hi"], max_tokens: 2, mmlu: { questions: 0 } };
    const created = await post("/v1/evaluations", { model, trait: "cheerful", ...settings }, key);
    const { id } = (await expectDocumented(document, "post /v1/evaluations", created)) as {
      id: string;
    };
    await vi.waitFor(
      async () => {
        const got = await call(`/v1/evaluations/${id}`, { key });
        const body = await expectDocumented(document, "get /v1/evaluations/{id}", got);
        expect(body).toMatchObject({ status: "succeeded" });
      },
      { timeout: 30_000, interval: 200 },
    );
    const ratings = [{ multiplier: 1, prompt_index: 0, score: 7 }];
    const rated = await post(`/v1/evaluations/${id}/ratings`, { ratings }, key);
    await expectDocumented(document, "post /v1/evaluations/{id}/ratings", rated);
    await expectDocumented(document, "get /v1/evaluations", await call("/v1/evaluations", { key }));
    const withCard = await call(`/v1/steerable-models/${model}`, { key });
    expect(
      await expectDocumented(document, "get /v1/steerable-models/{id}", withCard),
    ).toMatchObject({
      quality: { cheerful: { evaluation: id } },
    });
    await usageRows(accountId, 1);
    const usage = await expectDocumented(
      document,
      "get /v1/usage",
      await call("/v1/usage", { key }),
    );
    expect(usage).toMatchObject({ data: [{ model, kind: "evaluation" }] });
    const deleted = await call(`/v1/evaluations/${id}`, { key, method: "DELETE" });
    await expectDocumented(document, "delete /v1/evaluations/{id}", deleted);
  });
});

describe("GET /docs", () => {
  it("is Scalar's API reference of the document, with its script from this origin", async () => {
    const response = await call("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const page = await response.text();
    expect(page).toContain('<script src="/docs/api-reference.js"');
    expect(page).toContain('"url": "/openapi.json"');
    // Nothing from elsewhere: no CDN, no web fonts (the browser test checks what it loads).
    expect(page).not.toMatch(/(src|href)="https?:/);
    expect(page).toContain('"withDefaultFonts": false');
    const script = await call("/docs/api-reference.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("createApiReference");
  });
});
