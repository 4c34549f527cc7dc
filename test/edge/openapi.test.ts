// The API's description: an OpenAPI 3.1 document generated from the shared zod schemas, and a
// reference page rendered from it; both public and self-contained.
import { describe, expect, it } from "vitest";
import type { OpenApiDocument, OpenApiOperation } from "../../edge/src/openapi/document.ts";
import { call } from "./support.ts";

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
  "get /v1/usage",
  "post /v1/keys",
  "get /v1/keys",
  "delete /v1/keys/{id}",
];

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

  it("requires the bearer key everywhere but on the reference itself", async () => {
    const document = await fetchDocument();
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    expect(document.security).toEqual([{ bearer: [] }]);
    const open = operations(document).filter(([, operation]) => operation.security);
    expect(open.map(([name]) => name).sort()).toEqual(["get /docs", "get /openapi.json"]);
    expect((await call("/docs")).status).toBe(200);
  });

  it("describes request bodies and queries with the shared zod schemas", async () => {
    const document = await fetchDocument();
    const { schemas } = document.components;
    for (const ref of refsIn(document.paths)) {
      expect(schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
    }
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
    expect(page).toContain('<h3 id="schema-CreateSteerableModel">');
    expect(page).toContain("&quot;model_label&quot;");
    expect(page).not.toMatch(/<script|src="http|href="http/);
  });
});
