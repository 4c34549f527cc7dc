// The JSON schemas a structured answer (response_format) may follow: those llama.cpp's converter
// (common/json-schema-to-grammar.cpp, which a GPU node runs) turns into a grammar that holds the
// answer to the schema exactly. The converter honours some keywords only in some places, ignores
// others (an answer could then break them), and accepts any string for a regular expression it
// cannot translate; this walk allows what it honours and refuses the rest, naming the keyword and
// its place in the schema, so that a schema no answer could be held to is refused before any
// work, by the edge and the node alike. What it allows:
//
// - annotations anywhere: title, description, examples, default, $comment, $schema; $id at the root
// - $defs / definitions (schemas), and $ref to "#/..." (a place this walk checks as a schema)
// - type: one of, or a list of, object, array, string, integer, number, boolean, null
// - const, enum (values of the schema's type, if it has one)
// - anyOf (oneOf is refused: the grammar cannot hold that exactly one alternative matches)
// - objects: properties, required (each a property), additionalProperties (boolean or schema)
// - arrays: items, minItems, maxItems; prefixItems (then neither items nor minItems/maxItems)
// - strings (with type string): minLength, maxLength; format time or uuid
// - integers (with type integer, not number): minimum, maximum, exclusiveMinimum, exclusiveMaximum
import {
  MAX_RESPONSE_SCHEMA_CHARS,
  MAX_RESPONSE_SCHEMA_DEPTH,
  MAX_RESPONSE_SCHEMA_PROPERTIES,
  MAX_RESPONSE_SCHEMA_REPETITIONS,
} from "../limits.ts";

/** Where in the schema (keys and array indexes) and what is wrong there. */
export interface SchemaProblem {
  path: Path;
  message: string;
}

type Path = (string | number)[];

/** The first thing in `schema` no answer could be held to, or null when it can be followed. */
export function schemaProblem(schema: unknown): SchemaProblem | null {
  try {
    new SchemaWalk().check(schema);
    return null;
  } catch (error) {
    if (error instanceof Refusal) return { path: error.path, message: error.message };
    throw error;
  }
}

const JSON_TYPES = ["object", "array", "string", "integer", "number", "boolean", "null"] as const;
type JsonType = (typeof JSON_TYPES)[number];

const ANNOTATIONS = new Set(["title", "description", "examples", "default", "$comment", "$schema"]);
const DEFINITIONS = ["$defs", "definitions"];
/** The keywords that apply to the values of one type, and that type. */
const TYPED_KEYWORDS = new Map<string, JsonType>([
  ["properties", "object"],
  ["required", "object"],
  ["additionalProperties", "object"],
  ["items", "array"],
  ["prefixItems", "array"],
  ["minItems", "array"],
  ["maxItems", "array"],
  ["format", "string"],
  ["minLength", "string"],
  ["maxLength", "string"],
  ["minimum", "integer"],
  ["maximum", "integer"],
  ["exclusiveMinimum", "integer"],
  ["exclusiveMaximum", "integer"],
]);
/** The keywords that make a schema of their own kind: the converter reads nothing else there. */
const KINDS = ["$ref", "anyOf", "const", "enum"];
const FORMATS = ["time", "uuid"];

/** Why some keywords the converter cannot hold an answer to are refused. */
const REFUSED_BECAUSE: Record<string, string> = {
  pattern:
    "llama.cpp's grammar for a regular expression constrains the raw characters, not the string's value, so the answer could break the pattern or JSON itself; use enum, format or minLength/maxLength",
  oneOf: "the grammar cannot hold that exactly one alternative matches; use anyOf",
  allOf: "llama.cpp merges only some kinds of subschemas; write them as one schema",
};

class Refusal extends Error {
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message);
  }
}

type SchemaObject = Record<string, unknown>;

class SchemaWalk {
  /** The places checked as schemas, keyed as a $ref pointer names them (placeKey). */
  private readonly schemaPlaces = new Map<string, Path>();
  /** Every $ref met in a schema: where, and the place it points to. */
  private readonly refs: { path: Path; target: string }[] = [];
  /** Schema place -> the places the converter enters before writing a character of the answer
   * (its $ref's target, its anyOf alternatives): a cycle among them is a left recursion. */
  private readonly entered = new Map<string, string[]>();

  check(root: unknown): void {
    const refHolders: Path[] = [];
    checkValues(root, [], 0, refHolders);
    const chars = JSON.stringify(root).length;
    if (chars > MAX_RESPONSE_SCHEMA_CHARS) {
      const limit = MAX_RESPONSE_SCHEMA_CHARS;
      throw new Refusal([], `the schema is ${chars} characters as JSON; at most ${limit}`);
    }
    this.schema(root, []);
    // The converter resolves a $ref wherever it is, values included: only a schema's are checked.
    for (const path of refHolders) {
      if (!this.schemaPlaces.has(placeKey(path))) {
        throw new Refusal([...path, "$ref"], "$ref is only supported where a schema is");
      }
    }
    for (const { path, target } of this.refs) {
      if (!this.schemaPlaces.has(target)) {
        throw new Refusal(path, "$ref must point to a schema within this one (#/$defs/<name>)");
      }
    }
    this.refuseLeftRecursion();
  }

  /** One schema: an object (a boolean schema is supported as additionalProperties only). */
  private schema(value: unknown, path: Path): void {
    if (!isObject(value)) throw new Refusal(path, "a schema must be a JSON object");
    this.schemaPlaces.set(placeKey(path), path);
    for (const key of Object.keys(value)) knownKeyword(key, path);
    for (const key of DEFINITIONS) {
      if (Object.hasOwn(value, key)) this.schemaMap(value[key], [...path, key]);
    }
    const types = schemaTypes(value, path);
    if (Object.hasOwn(value, "$ref")) this.ref(value, path);
    else if (Object.hasOwn(value, "anyOf")) this.anyOf(value, path);
    else if (Object.hasOwn(value, "const") || Object.hasOwn(value, "enum")) {
      this.constant(value, path, types);
    } else this.typed(value, path, types);
  }

  private ref(schema: SchemaObject, path: Path): void {
    onlyWith(schema, path, "$ref", []);
    const ref = schema.$ref;
    const at = [...path, "$ref"];
    if (typeof ref !== "string" || !ref.startsWith("#/")) {
      throw new Refusal(at, "$ref must point into this schema: #/<path>");
    }
    // The converter splits the pointer at "/" and decodes nothing (no ~0, ~1 or %-escapes).
    const target = JSON.stringify(ref.slice(2).split("/"));
    this.refs.push({ path: at, target });
    this.entered.set(placeKey(path), [target]);
  }

  private anyOf(schema: SchemaObject, path: Path): void {
    onlyWith(schema, path, "anyOf", []);
    const at = [...path, "anyOf"];
    const alternatives = schema.anyOf;
    if (!Array.isArray(alternatives) || alternatives.length === 0) {
      throw new Refusal(at, "anyOf must be a non-empty list of schemas");
    }
    alternatives.forEach((alternative, i) => {
      this.schema(alternative, [...at, i]);
    });
    this.entered.set(
      placeKey(path),
      alternatives.map((_, i) => placeKey([...at, i])),
    );
  }

  /** const or enum: the answer is one of the values, written as they are. */
  private constant(schema: SchemaObject, path: Path, types: Set<JsonType> | null): void {
    const key = Object.hasOwn(schema, "const") ? "const" : "enum";
    onlyWith(schema, path, key, ["type"]);
    const values = key === "const" ? [schema.const] : schema.enum;
    if (!Array.isArray(values) || values.length === 0) {
      throw new Refusal([...path, "enum"], "enum must be a non-empty list of values");
    }
    values.forEach((value, i) => {
      if (types === null || ofTypes(value, types)) return;
      const at = key === "const" ? [...path, "const"] : [...path, "enum", i];
      throw new Refusal(at, `${key} value is not of the schema's type (${[...types].join(", ")})`);
    });
  }

  /** A schema of typed keywords: each must apply to a type the schema allows, as the converter
   * honours it there only. */
  private typed(schema: SchemaObject, path: Path, types: Set<JsonType> | null): void {
    for (const key of Object.keys(schema)) {
      const type = TYPED_KEYWORDS.get(key);
      if (type !== undefined) applies(key, type, types, [...path, key]);
    }
    this.object(schema, path);
    this.array(schema, path);
    checkString(schema, path);
    checkInteger(schema, path);
  }

  private object(schema: SchemaObject, path: Path): void {
    const { properties, required, additionalProperties } = schema;
    if (Object.hasOwn(schema, "properties")) {
      const at = [...path, "properties"];
      if (isObject(properties) && Object.keys(properties).length > MAX_RESPONSE_SCHEMA_PROPERTIES) {
        throw new Refusal(at, `at most ${MAX_RESPONSE_SCHEMA_PROPERTIES} properties an object`);
      }
      this.schemaMap(properties, at);
    }
    if (Object.hasOwn(schema, "required")) {
      const names = isObject(properties) ? properties : {};
      if (!Array.isArray(required)) {
        throw new Refusal([...path, "required"], "required must be a list of property names");
      }
      required.forEach((name, i) => {
        if (typeof name !== "string" || !Object.hasOwn(names, name)) {
          throw new Refusal([...path, "required", i], "required must name one of properties");
        }
      });
    }
    if (
      Object.hasOwn(schema, "additionalProperties") &&
      typeof additionalProperties !== "boolean"
    ) {
      this.schema(additionalProperties, [...path, "additionalProperties"]);
    }
  }

  private array(schema: SchemaObject, path: Path): void {
    const has = (key: string) => Object.hasOwn(schema, key);
    if (has("prefixItems")) {
      const at = [...path, "prefixItems"];
      const tuple = schema.prefixItems;
      if (!Array.isArray(tuple) || tuple.length === 0) {
        throw new Refusal(at, "prefixItems must be a non-empty list of schemas");
      }
      // The converter writes exactly the tuple's items: no room for more, nor for bounds.
      for (const key of ["items", "minItems", "maxItems"]) {
        if (has(key))
          throw new Refusal([...path, key], `${key} is not supported beside prefixItems`);
      }
      tuple.forEach((item, i) => {
        this.schema(item, [...at, i]);
      });
      return;
    }
    if (has("items")) this.schema(schema.items, [...path, "items"]);
    for (const key of ["minItems", "maxItems"]) {
      // Without items the converter writes any array, whatever its length.
      if (has(key) && !has("items")) throw new Refusal([...path, key], `${key} needs items`);
    }
    checkCounts(schema, path, "minItems", "maxItems");
  }

  /** A keyword's object of named schemas (properties, $defs). */
  private schemaMap(value: unknown, path: Path): void {
    if (!isObject(value)) throw new Refusal(path, "must be an object of schemas");
    for (const [name, schema] of Object.entries(value)) this.schema(schema, [...path, name]);
  }

  /** A schema the converter enters again before writing anything: llama.cpp refuses the grammar. */
  private refuseLeftRecursion(): void {
    const done = new Set<string>();
    const visit = (place: string, open: string[]): void => {
      if (open.includes(place)) {
        const path = this.schemaPlaces.get(place) ?? [];
        throw new Refusal(path, "refers back to itself before the answer has a character of it");
      }
      if (done.has(place)) return;
      for (const next of this.entered.get(place) ?? []) visit(next, [...open, place]);
      done.add(place);
    };
    for (const place of this.entered.keys()) visit(place, []);
  }
}

/** A keyword this walk knows; $id only at the root (below it, it would move what "#/..." means). */
function knownKeyword(key: string, path: Path): void {
  const at = [...path, key];
  if (key === "$id") {
    if (path.length > 0) throw new Refusal(at, "$id is only supported at the schema's root");
    return;
  }
  const known =
    ANNOTATIONS.has(key) ||
    DEFINITIONS.includes(key) ||
    TYPED_KEYWORDS.has(key) ||
    KINDS.includes(key) ||
    key === "type";
  if (known) return;
  const because = Object.hasOwn(REFUSED_BECAUSE, key) ? `: ${REFUSED_BECAUSE[key]}` : "";
  throw new Refusal(at, `${key} is not supported${because}`);
}

function schemaTypes(schema: SchemaObject, path: Path): Set<JsonType> | null {
  if (!Object.hasOwn(schema, "type")) return null;
  const list: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const known = list.every((t) => JSON_TYPES.includes(t as JsonType));
  if (list.length === 0 || !known || new Set(list).size !== list.length) {
    const message = `type must be one of, or a list of distinct, ${JSON_TYPES.join(", ")}`;
    throw new Refusal([...path, "type"], message);
  }
  return new Set(list as JsonType[]);
}

/** The converter reads `key` alone in such a schema: anything else but annotations is refused. */
function onlyWith(schema: SchemaObject, path: Path, key: string, allowed: string[]): void {
  for (const other of Object.keys(schema)) {
    const fine =
      other === key ||
      allowed.includes(other) ||
      ANNOTATIONS.has(other) ||
      DEFINITIONS.includes(other) ||
      other === "$id";
    if (!fine) throw new Refusal([...path, other], `${other} is not supported beside ${key}`);
  }
}

/** Whether the converter honours `key` for the schema's types. */
function applies(key: string, type: JsonType, types: Set<JsonType> | null, at: Path): void {
  if (type === "integer") {
    // The converter bounds integers only: an untyped value or a number would go unbounded.
    if (!types?.has("integer") || types.has("number")) {
      throw new Refusal(at, `${key} needs "type": "integer" (numbers cannot be bounded)`);
    }
  } else if (key === "minLength" || key === "maxLength") {
    if (!types?.has("string")) throw new Refusal(at, `${key} needs "type": "string"`);
  } else if (types !== null && !types.has(type)) {
    throw new Refusal(at, `${key} applies to type ${type}, which the schema's type leaves out`);
  }
}

function checkString(schema: SchemaObject, path: Path): void {
  if (Object.hasOwn(schema, "format")) {
    const format = schema.format;
    if (typeof format !== "string" || !FORMATS.includes(format)) {
      throw new Refusal([...path, "format"], formatRefusal(format));
    }
    for (const key of ["minLength", "maxLength"]) {
      // A format's grammar is the whole string: the converter ignores lengths beside it.
      if (Object.hasOwn(schema, key)) {
        throw new Refusal([...path, key], `${key} is not supported beside format`);
      }
    }
  }
  checkCounts(schema, path, "minLength", "maxLength");
}

function formatRefusal(format: unknown): string {
  const supported = `supported formats: ${FORMATS.join(", ")}`;
  if (format === "date" || format === "date-time") {
    return `format ${format} is not supported: llama.cpp's grammar for it allows days a month lacks (2023-02-30); ${supported}`;
  }
  return `format ${JSON.stringify(format)} is not supported; ${supported}`;
}

/** A count's range: whole numbers within what llama.cpp's grammar parser takes, in order. */
function checkCounts(schema: SchemaObject, path: Path, low: string, high: string): void {
  const count = (key: string): number | null => {
    if (!Object.hasOwn(schema, key)) return null;
    const value = schema[key];
    const limit = MAX_RESPONSE_SCHEMA_REPETITIONS;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > limit) {
      throw new Refusal([...path, key], `${key} must be a whole number from 0 to ${limit}`);
    }
    return value;
  };
  const min = count(low);
  const max = count(high);
  if (min !== null && max !== null && min > max) {
    throw new Refusal([...path, low], `${low} is greater than ${high}`);
  }
}

/** Integer bounds: whole numbers (the converter reads them as such), one of each side, in order. */
function checkInteger(schema: SchemaObject, path: Path): void {
  const has = (key: string) => Object.hasOwn(schema, key);
  const bound = (key: string, exclusive: string, step: number): number | null => {
    if (has(key) && has(exclusive)) {
      // The converter reads the first and ignores the second.
      throw new Refusal([...path, exclusive], `${exclusive} is not supported beside ${key}`);
    }
    const used = has(key) ? key : has(exclusive) ? exclusive : null;
    if (used === null) return null;
    const value = schema[used];
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      throw new Refusal([...path, used], `${used} must be a whole number within ±(2^53 - 1)`);
    }
    return used === key ? value : value + step;
  };
  const min = bound("minimum", "exclusiveMinimum", 1);
  const max = bound("maximum", "exclusiveMaximum", -1);
  if (min !== null && max !== null && min > max) {
    const key = has("minimum") ? "minimum" : "exclusiveMinimum";
    throw new Refusal([...path, key], "no integer lies within the schema's bounds");
  }
}

/**
 * Before any other check, the schema's JSON as a whole: nested at most MAX_RESPONSE_SCHEMA_DEPTH
 * deep (values too, so that serializing it cannot run out of stack), every string and key valid
 * Unicode (the node's JSON parser refuses a lone surrogate); and where "$ref" is a key.
 */
function checkValues(value: unknown, path: Path, depth: number, refHolders: Path[]): void {
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) throw new Refusal(path, "holds text that is not valid Unicode");
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (depth >= MAX_RESPONSE_SCHEMA_DEPTH) {
    throw new Refusal(path, `the schema nests more than ${MAX_RESPONSE_SCHEMA_DEPTH} levels deep`);
  }
  if (!Array.isArray(value) && Object.hasOwn(value, "$ref")) refHolders.push(path);
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (LONE_SURROGATE.test(key)) throw new Refusal(at, "is a key that is not valid Unicode");
    checkValues(item, at, depth + 1, refHolders);
  }
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** A place in the schema as a $ref pointer names it: its keys, array indexes as text. */
function placeKey(path: Path): string {
  return JSON.stringify(path.map(String));
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a const or enum value is of one of the types (an integer is a number too). */
function ofTypes(value: unknown, types: Set<JsonType>): boolean {
  if (value === null) return types.has("null");
  if (Array.isArray(value)) return types.has("array");
  if (typeof value === "number") {
    return types.has("number") || (Number.isInteger(value) && types.has("integer"));
  }
  return types.has(typeof value as JsonType);
}
