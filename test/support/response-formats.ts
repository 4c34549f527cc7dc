// Structured answers (response_format) as the node's and the edge's tests ask for them: schemas the
// tiny test model's answers can be checked against, and schemas no answer could be held to, each
// with the place in it that its refusal must name.
import { MAX_RESPONSE_SCHEMA_DEPTH } from "../../shared/limits.ts";

export function jsonSchemaFormat(schema: Record<string, unknown>) {
  return { type: "json_schema" as const, json_schema: { name: "answer", schema, strict: true } };
}

/** enum, const, required and optional properties, integer bounds, an array's length, a union. */
export const PERSON_SCHEMA = {
  type: "object",
  properties: {
    mood: { enum: ["happy", "sad"] },
    kind: { const: "person" },
    age: { type: "integer", minimum: 18, maximum: 99 },
    tags: { type: "array", items: { type: "string", maxLength: 8 }, minItems: 2, maxItems: 3 },
    nickname: { type: ["string", "null"], maxLength: 10 },
  },
  required: ["mood", "kind", "age", "tags"],
  additionalProperties: false,
} as const;

/** $defs and $ref, anyOf, a tuple (prefixItems), formats. */
export const ROUTE_SCHEMA = {
  $defs: {
    point: {
      type: "array",
      prefixItems: [
        { type: "integer", minimum: 0, maximum: 9 },
        { type: "integer", minimum: -5, exclusiveMaximum: 0 },
      ],
    },
  },
  type: "object",
  properties: {
    from: { $ref: "#/$defs/point" },
    to: { anyOf: [{ $ref: "#/$defs/point" }, { type: "null" }] },
    id: { type: "string", format: "uuid" },
    at: { type: "string", format: "time" },
  },
  required: ["from", "to", "id", "at"],
} as const;

/** A structured chat request whose every field the bad-input suites vary: small, so that the
 * answers the node makes of what stays valid are quick. */
export const STRUCTURED_FORMAT = jsonSchemaFormat({
  type: "object",
  properties: {
    mood: { enum: ["happy", "sad"] },
    count: { type: "integer", minimum: 0 },
  },
  additionalProperties: false,
});

export interface UnsupportedSchema {
  name: string;
  schema: Record<string, unknown>;
  /** Where in the schema the refusal points ("" for the schema as a whole). */
  at: string;
  /** A word the refusal's message must hold (the keyword, mostly). */
  says: string;
}

const typed = (property: unknown) => ({ type: "object", properties: { a: property } });

export const UNSUPPORTED_SCHEMAS: UnsupportedSchema[] = [
  {
    name: "multipleOf",
    schema: typed({ type: "integer", multipleOf: 2 }),
    at: "properties.a.multipleOf",
    says: "multipleOf",
  },
  {
    name: "a pattern",
    schema: typed({ type: "string", pattern: "^a+$" }),
    at: "properties.a.pattern",
    says: "pattern",
  },
  {
    name: "oneOf",
    schema: typed({ oneOf: [{ type: "string" }, { type: "null" }] }),
    at: "properties.a.oneOf",
    says: "anyOf",
  },
  { name: "allOf", schema: { allOf: [{ type: "object" }] }, at: "allOf", says: "allOf" },
  { name: "not", schema: typed({ not: { type: "string" } }), at: "properties.a.not", says: "not" },
  { name: "if", schema: { if: { type: "object" } }, at: "if", says: "if" },
  {
    name: "patternProperties",
    schema: { type: "object", patternProperties: { "^x": {} } },
    at: "patternProperties",
    says: "patternProperties",
  },
  {
    name: "uniqueItems",
    schema: typed({ type: "array", items: {}, uniqueItems: true }),
    at: "properties.a.uniqueItems",
    says: "uniqueItems",
  },
  {
    name: "minProperties",
    schema: { type: "object", minProperties: 1 },
    at: "minProperties",
    says: "minProperties",
  },
  {
    name: "format date",
    schema: typed({ type: "string", format: "date" }),
    at: "properties.a.format",
    says: "date",
  },
  {
    name: "format email",
    schema: typed({ type: "string", format: "email" }),
    at: "properties.a.format",
    says: "email",
  },
  {
    name: "a bounded number",
    schema: typed({ type: "number", minimum: 0 }),
    at: "properties.a.minimum",
    says: "minimum",
  },
  {
    name: "a fractional bound",
    schema: typed({ type: "integer", minimum: 1.5 }),
    at: "properties.a.minimum",
    says: "minimum",
  },
  {
    name: "both lower bounds",
    schema: typed({ type: "integer", minimum: 1, exclusiveMinimum: 0 }),
    at: "properties.a.exclusiveMinimum",
    says: "exclusiveMinimum",
  },
  {
    name: "empty bounds",
    schema: typed({ type: "integer", minimum: 5, maximum: 4 }),
    at: "properties.a.minimum",
    says: "bounds",
  },
  {
    name: "an untyped length",
    schema: typed({ minLength: 2 }),
    at: "properties.a.minLength",
    says: "minLength",
  },
  {
    name: "a length beside format",
    schema: typed({ type: "string", format: "uuid", maxLength: 5 }),
    at: "properties.a.maxLength",
    says: "maxLength",
  },
  {
    name: "a length past the limit",
    schema: typed({ type: "string", maxLength: 5000 }),
    at: "properties.a.maxLength",
    says: "maxLength",
  },
  {
    name: "minItems without items",
    schema: typed({ type: "array", minItems: 1 }),
    at: "properties.a.minItems",
    says: "minItems",
  },
  {
    name: "minItems over maxItems",
    schema: typed({ type: "array", items: {}, minItems: 3, maxItems: 2 }),
    at: "properties.a.minItems",
    says: "minItems",
  },
  {
    name: "items beside prefixItems",
    schema: typed({ prefixItems: [{}], items: {} }),
    at: "properties.a.items",
    says: "items",
  },
  {
    name: "a keyword of another type",
    schema: typed({ type: "string", items: {} }),
    at: "properties.a.items",
    says: "items",
  },
  {
    name: "required, not a property",
    schema: { type: "object", properties: { a: {} }, required: ["a", "b"] },
    at: "required[1]",
    says: "required",
  },
  {
    name: "an unknown type",
    schema: typed({ type: "date" }),
    at: "properties.a.type",
    says: "type",
  },
  {
    name: "an enum value of another type",
    schema: typed({ type: "string", enum: ["x", 1] }),
    at: "properties.a.enum[1]",
    says: "enum",
  },
  {
    name: "enum beside const",
    schema: typed({ const: "x", enum: ["x"] }),
    at: "properties.a.enum",
    says: "enum",
  },
  {
    name: "type beside anyOf",
    schema: typed({ type: "string", anyOf: [{ type: "string" }] }),
    at: "properties.a.type",
    says: "anyOf",
  },
  { name: "a boolean schema", schema: typed(true), at: "properties.a", says: "schema" },
  {
    name: "a remote $ref",
    schema: typed({ $ref: "https://example.com/schema.json" }),
    at: "properties.a.$ref",
    says: "$ref",
  },
  {
    name: "a $ref to nothing",
    schema: typed({ $ref: "#/$defs/missing" }),
    at: "properties.a.$ref",
    says: "$ref",
  },
  {
    name: "left recursion",
    schema: { $defs: { loop: { anyOf: [{ $ref: "#/$defs/loop" }] } }, $ref: "#/$defs/loop" },
    at: "$defs.loop.anyOf[0]",
    says: "itself",
  },
  {
    name: "$id below the root",
    schema: typed({ $id: "inner", type: "string" }),
    at: "properties.a.$id",
    says: "$id",
  },
  {
    name: "a lone surrogate",
    schema: typed({ description: "\ud800" }),
    at: "properties.a.description",
    says: "Unicode",
  },
  {
    name: "101 properties",
    schema: {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, {}])),
    },
    at: "properties",
    says: "100",
  },
  {
    name: "nesting past the limit",
    schema: nested(MAX_RESPONSE_SCHEMA_DEPTH + 5),
    at: Array(MAX_RESPONSE_SCHEMA_DEPTH).fill("items").join("."),
    says: "deep",
  },
  {
    name: "20,000 characters",
    schema: { description: "x".repeat(20_000) },
    at: "",
    says: "characters",
  },
];

function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < depth; i++) schema = { type: "array", items: schema };
  return schema;
}

/** The request param a refusal of `schema` must name. */
export function schemaParam(at: string): string {
  const root = "response_format.json_schema.schema";
  return at === "" ? root : at.startsWith("[") ? `${root}${at}` : `${root}.${at}`;
}
