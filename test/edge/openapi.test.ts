// The API's description: an OpenAPI 3.1 document generated from the shared zod schemas, and a
// reference page rendered from it; both public and self-contained.
import { describe, expect, inject, it } from "vitest";
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from "../../edge/src/openapi/components.ts";
import type { OpenApiDocument, OpenApiOperation } from "../../edge/src/openapi/document.ts";
import type { Operation } from "../../edge/src/openapi/operations.ts";
import type { SteerableModel } from "../../shared/api/steerable-models.ts";
import { OPERATOR_TOKEN } from "./operator-token.ts";
import { BASE_MODEL, DAY_PROMPT, plantedModel, usageRows } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";
import { post, QUICK_MODEL } from "./training-support.ts";

/** The public API the issue lists, as method and path. */
const EXPECTED = [
  "post /steerable-model",
  "get /steerable-model",
  "get /steerable-model/{id}",
  "delete /steerable-model/{id}",
  "post /completions",
  "post /v1/steerable-models",
  "get /v1/steerable-models",
  "get /v1/steerable-models/{id}",
  "delete /v1/steerable-models/{id}",
  "get /v1/steerable-models/{id}/vectors/{trait}",
  "post /v1/steerable-models/import",
  "post /v1/chat/completions",
  "get /v1/presets",
  "post /v1/presets",
  "post /v1/presets/{name}/install",
  "delete /v1/presets/{name}",
  "get /v1/usage",
  "post /v1/keys",
  "get /v1/keys",
  "delete /v1/keys/{id}",
  "post /v1/accounts",
];

/** The operations whose JSON answer is described in words only, with no schema. */
const UNTYPED = ["get /openapi.json"];

const SCHEMAS = "#/components/schemas/";

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
    expect(listed.map(([name]) => name)).toEqual(expect.arrayContaining(EXPECTED));
    const ids = listed.map(([, operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, operation] of listed) {
      expect(operation.summary, name).toBeTruthy();
      expect(Object.keys(operation.responses), name).toContain("default");
      const pathParameters = operation.parameters.filter((parameter) => parameter.in === "path");
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
    expect(Object.fromEntries(own)).toEqual({
      "get /docs": expect.objectContaining({ security: [] }),
      "get /openapi.json": expect.objectContaining({ security: [] }),
      "post /v1/accounts": expect.objectContaining({ security: [{ operator: [] }] }),
    });
    expect((await call("/docs")).status).toBe(200);
  });

  it("describes request bodies and queries with the shared zod schemas", async () => {
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

    const usage = document.paths["/v1/usage"]?.get?.parameters ?? [];
    expect(usage.map((parameter) => [parameter.name, parameter.in])).toEqual([
      ["start", "query"],
      ["end", "query"],
      ["model", "query"],
    ]);
    expect(usage[0]?.schema).toMatchObject({ type: "string", format: "date" });
    const keys = document.paths["/v1/keys"]?.post;
    expect(keys?.parameters.map((parameter) => parameter.name)).toEqual(["Idempotency-Key"]);
    expect(Object.keys(keys?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "401", "403", "409", "422", "429"]),
    );
  });

  it("names the schema of every JSON answer, and each reference resolves", async () => {
    const document = await fetchDocument();
    const untyped = operations(document).filter(([, operation]) =>
      Object.values(operation.responses).some((response) => {
        const json = response.content?.["application/json"];
        return json !== undefined && json.schema.$ref === undefined;
      }),
    );
    expect(untyped.map(([name]) => name).sort()).toEqual([...UNTYPED].sort());
    const { schemas } = document.components;
    for (const ref of refsIn(document)) {
      expect(ref.startsWith(SCHEMAS), ref).toBe(true);
      expect(schemas[ref.slice(SCHEMAS.length)], ref).toBeDefined();
    }
    // A schema inside another named one is referenced, not repeated.
    expect(schemas.SteerableModelList).toMatchObject({
      properties: { data: { items: { $ref: `${SCHEMAS}SteerableModel` } } },
    });
    const chat = document.paths["/v1/chat/completions"]?.post?.responses["200"]?.content;
    expect(chat?.["text/event-stream"]?.schema.description).toContain("ChatCompletionChunk");
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
  const [method, path] = operation.split(" ") as [Operation["method"], string];
  const documented = document.paths[path]?.[method]?.responses[response.status];
  expect(documented, `${operation} answering ${response.status}`).toBeDefined();
  const ref = documented?.content?.["application/json"]?.schema.$ref;
  const schema = RESPONSE_SCHEMAS[String(ref).slice(SCHEMAS.length) as ResponseSchemaName];
  expect(schema, `${operation}'s schema`).toBeDefined();
  const body: unknown = await response.json();
  expectFits(schema, body, operation);
  return body;
}

/** `body` fits `schema` and has no field the schema does not name. */
function expectFits(
  schema: (typeof RESPONSE_SCHEMAS)[ResponseSchemaName],
  body: unknown,
  what: string,
) {
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
    const imported = await call(`/v1/steerable-models/import?trait=cheerful&label=${BASE_MODEL}`, {
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
        data: expect.arrayContaining([{ ...created, status: expect.any(String) }]),
      });
      expect((page as { data: unknown[] }).data).toHaveLength(3);
      const got = await call(`${base}/${planted.id}`, { key });
      expect(await expectDocumented(document, `get ${base}/{id}`, got)).toMatchObject({
        id: planted.id,
        status: "ready",
      });
      const deleted = await call(`${base}/${created.id}`, { key, method: "DELETE" });
      await expectDocumented(document, `delete ${base}/{id}`, deleted);
    }
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
    for (const chunk of chunks) expectFits(RESPONSE_SCHEMAS.ChatCompletionChunk, chunk, "a chunk");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4 } });

    await expectDocumented(document, "get /v1/models", await call("/v1/models", { key }));
    await usageRows(accountId, 3);
    const usage = await expectDocumented(
      document,
      "get /v1/usage",
      await call("/v1/usage", { key }),
    );
    expect(usage).toMatchObject({
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
  });
});

describe("GET /docs", () => {
  it("renders the same document as one self-contained page", async () => {
    const response = await call("/docs");
    expect(response.headers.get("content-type")).toContain("text/html");
    const page = await response.text();
    for (const operation of EXPECTED) {
      const [method, path] = operation.split(" ");
      expect(page).toContain(`<span class="method">${method}</span> <code>${path}</code>`);
    }
    expect(page).toContain("(the operator token, not an API key)");
    expect(page).toContain('<h3 id="schema-CreateSteerableModel">');
    expect(page).toContain("&quot;model_label&quot;");
    expect(page).not.toMatch(/<script|src="http|href="http/);
  });
});
