// Bad input, generated. From a request that works, every way of getting one thing wrong: a field
// given a wrong type, an odd string or number, a size past any limit, deep nesting, unknown and
// prototype keys, or left out; the body itself not JSON, cut short, in another encoding or media
// type; an id, a query parameter, a credential or a control-vector file that is broken. Each case
// says which field is at fault, so that a test can check the answer names it.
//
// Plain TypeScript with no runtime of its own: the edge's tests run it inside workerd, the node's
// under Node.

export interface BadInput {
  /** What was done, for a failing test's message. */
  name: string;
  body: string | Uint8Array<ArrayBuffer>;
  /** The Content-Type sent (null: none). */
  contentType: string | null;
  /** The field at fault, as the error's param names it ("messages[0].role", "body"). */
  field: string;
  /**
   * "refused": the request must be a 4xx naming the field. "either": the change may leave a valid
   * request (an optional field left out, a string where any string goes); it must not be a 5xx,
   * and if refused, the answer names a field.
   */
  expect: "refused" | "either";
}

/** Something the route's own schema can say of a request body: whether it would accept it. */
export interface BodySchema {
  safeParse(value: unknown): { success: boolean };
}

const JSON_TYPE = "application/json";

/** Each replacement value: odd types, strings, numbers, sizes and nesting. */
const ODD_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["0", 0],
  ["-1", -1],
  ["0.5", 0.5],
  ["1e308", 1e308],
  ["-1e308", -1e308],
  ["2^53 + 2", 2 ** 53 + 2],
  ["5e-324", 5e-324],
  ["an empty string", ""],
  ["a blank string", "   \t\n"],
  ["a NUL", "\u0000"],
  ["a lone surrogate", "\ud800"],
  ["an RTL override", "\u202e"],
  ["emoji", "😀".repeat(300)],
  ["100,000 characters", "x".repeat(100_000)],
  ["a numeric string", "1"],
  ["a path", "../../etc/passwd"],
  ["SQL", "' OR 1=1; --"],
  ["markup", "<script>alert(1)</script>"],
  ["an empty array", []],
  ["a mixed array", [1, "a", null, {}]],
  ["10,000 strings", Array.from({ length: 10_000 }, () => "x")],
  ["an empty object", {}],
  ["an object", { a: 1 }],
  ["arrays 400 deep", nestedArrays(400)],
  ["objects 400 deep", nestedObjects(400)],
];

/** Values JSON can write but JavaScript cannot hold: put in as raw text. */
const RAW_VALUES: ReadonlyArray<readonly [string, string]> = [
  ["1e999 (infinite)", "1e999"],
  ["-1e999", "-1e999"],
  ["-0", "-0"],
  ["an exponent of 400 digits", `1e${"9".repeat(400)}`],
  ["a 2,000-digit integer", "9".repeat(2000)],
];

/** Keys that reach an object's prototype when a parser or a spread is careless. */
const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

/**
 * Every one-field change of `base`: each value replaced by each odd value, each object given an
 * unknown key and each prototype key, each key left out, each array grown past its limit. A change
 * the schema accepts is kept as "either"; one it refuses must be refused, naming the field.
 */
export function fieldCases(base: Record<string, unknown>, schema: BodySchema): BadInput[] {
  const cases: BadInput[] = [];
  const add = (name: string, field: string, body: string) => {
    const parsed = safeJson(body);
    const accepted = parsed.ok && schema.safeParse(parsed.value).success;
    cases.push({
      name,
      body,
      contentType: JSON_TYPE,
      field,
      expect: accepted ? "either" : "refused",
    });
  };
  for (const { path, value } of walk(base)) {
    const field = paramOf(path) || "body";
    for (const [label, odd] of ODD_VALUES) {
      add(`${field} = ${label}`, field, JSON.stringify(replaced(base, path, odd)));
    }
    for (const [label, raw] of RAW_VALUES) {
      add(`${field} = ${label}`, field, withRaw(base, path, raw));
    }
    if (isObject(value)) {
      for (const key of ["an_unknown_field", ...PROTOTYPE_KEYS]) {
        const keyField = paramOf([...path, key]);
        add(`${keyField}: an added key`, keyField, withRawKey(base, path, key));
      }
      for (const key of Object.keys(value)) {
        const without = replaced(base, path, omit(value, key));
        add(
          `${paramOf([...path, key])} left out`,
          paramOf([...path, key]),
          JSON.stringify(without),
        );
      }
    }
    if (Array.isArray(value) && value.length > 0) {
      const grown = Array.from({ length: 5000 }, () => value[0]);
      add(`${field}: 5,000 items`, field, JSON.stringify(replaced(base, path, grown)));
    }
  }
  return cases;
}

/** The body itself wrong: not JSON, cut short, other encodings and media types, too large. */
export function bodyCases(valid: Record<string, unknown>, maxBytes: number): BadInput[] {
  const json = JSON.stringify(valid);
  const bytes = utf8(json);
  const refused = (
    name: string,
    body: string | Uint8Array<ArrayBuffer>,
    contentType: string | null = JSON_TYPE,
  ): BadInput => ({ name, body, contentType, field: "body", expect: "refused" });
  const cut = [1, 2, Math.floor(json.length / 3), Math.floor(json.length / 2), json.length - 1];
  return [
    refused("an empty body", ""),
    refused("null", "null"),
    refused("an array", "[]"),
    refused("a number", "0"),
    refused("a string", '"text"'),
    refused("true", "true"),
    ...cut.map((length) => refused(`cut at ${length} characters`, json.slice(0, length))),
    refused("trailing text", `${json} x`),
    refused("two bodies", `${json}${json}`),
    refused("single quotes", json.replaceAll('"', "'")),
    refused("a trailing comma", `${json.slice(0, -1)},}`),
    refused("a comment", `/* a */ ${json}`),
    refused("NaN", json.replace(/:\s*[^,}\]]+/, ":NaN")),
    refused("invalid UTF-8", concat(bytes.slice(0, 2), Uint8Array.of(0xff, 0xfe), bytes.slice(2))),
    refused("UTF-16", utf16(json), "application/json; charset=utf-16"),
    refused("arrays 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000)),
    refused("objects 100,000 deep", `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`),
    refused("sent as text/plain", json, "text/plain"),
    refused("sent as a form", "a=1&b=2", "application/x-www-form-urlencoded"),
    refused("sent with no content type", json, null),
    refused(`${maxBytes + 1} bytes`, padded(json, maxBytes + 1)),
    refused(`${2 * maxBytes} bytes`, padded(json, 2 * maxBytes)),
  ];
}

/**
 * Ids that name nothing: odd lengths, characters, encodings, and ids of the wrong kind. Not "."
 * or "..": a URL's dot segments are resolved before any server sees them.
 */
export function idCases(): string[] {
  const ids = [
    " ",
    "0",
    "-1",
    "1e9",
    "null",
    "undefined",
    "true",
    "NaN",
    "x".repeat(1000),
    "x".repeat(8000),
    "sm_",
    "sm_00000000000000000000000000",
    "key_00000000000000000000000000",
    "sm_' OR '1'='1",
    "sm_%00",
    "%00",
    "%2F",
    "a%20b",
    "%E2%80%AE",
    "%F0%9F%98%80",
    "%FF",
    "%",
    "%ZZ",
    "%C0%AF",
    "<script>",
    "*",
    "?",
    "#",
    ";",
    ",",
    "$",
    "~",
  ];
  return [...ids, ...PROTOTYPE_KEYS, ...ids.map((id) => `${id}x`.toUpperCase())];
}

/** Query strings, each with one parameter wrong, of a query whose parameters are `valid`. */
export function queryCases(
  valid: Record<string, string>,
): { name: string; field: string; query: string }[] {
  const cases: { name: string; field: string; query: string }[] = [];
  const odd = [
    "",
    "-1",
    "abc",
    "1.5",
    "1e3",
    "99999999999999999999",
    "0x10",
    "%00",
    "%FF",
    "%20",
    "true",
    "null",
    "[]",
    "%7B%7D",
    "%22%22",
    "a%26b%3Dc",
    "%E2%80%AE",
    "%F0%9F%98%80",
    "1;DROP TABLE",
  ];
  const queryWith = (values: Record<string, string>) =>
    Object.entries(values)
      .map(([key, value]) => `${encodeURIComponent(key)}=${value}`)
      .join("&");
  for (const key of Object.keys(valid)) {
    for (const value of odd) {
      cases.push({
        name: `${key}=${value}`,
        field: key,
        query: queryWith({ ...valid, [key]: value }),
      });
    }
    cases.push({
      name: `${key} twice`,
      field: key,
      query: `${queryWith(valid)}&${key}=${valid[key]}`,
    });
    cases.push({
      name: `${key}, long`,
      field: key,
      query: queryWith({ ...valid, [key]: "9".repeat(5000) }),
    });
  }
  for (const key of ["unknown", ...PROTOTYPE_KEYS]) {
    cases.push({ name: `${key}=1 added`, field: key, query: `${queryWith(valid)}&${key}=1` });
  }
  return cases;
}

/** Authorization headers that carry no valid credential, given the one that does. */
export function credentialCases(valid: string): { name: string; authorization: string | null }[] {
  return [
    { name: "none", authorization: null },
    { name: "empty", authorization: "" },
    { name: "the scheme alone", authorization: "Bearer" },
    { name: "the scheme and a space", authorization: "Bearer " },
    { name: "two spaces", authorization: `Bearer  ${valid}` },
    { name: "a tab", authorization: `Bearer\t${valid}` },
    { name: "Basic", authorization: `Basic ${valid}` },
    { name: "no scheme", authorization: valid },
    { name: "a word after", authorization: `Bearer ${valid} extra` },
    { name: "two tokens", authorization: `Bearer ${valid}, Bearer ${valid}` },
    { name: "the token cut", authorization: `Bearer ${valid.slice(0, -1)}` },
    { name: "the token grown", authorization: `Bearer ${valid}x` },
    { name: "the token upper-cased", authorization: `Bearer ${valid.toUpperCase()}` },
    { name: "8,000 characters", authorization: `Bearer ${"k".repeat(8000)}` },
    { name: "a quoted token", authorization: `Bearer "${valid}"` },
    { name: "SQL", authorization: "Bearer ' OR 1=1; --" },
  ];
}

// --- control-vector files ---

/** Values no direction has: not numbers, infinite, or past any norm steering uses. */
const ABSURD_VALUES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3e38, 1e30];

/**
 * Every way of breaking a valid control-vector GGUF: cut short, header fields, bytes flipped,
 * absurd values, and a file one byte over `maxBytes`.
 */
export function vectorFileCases(
  valid: Uint8Array<ArrayBuffer>,
  maxBytes: number,
): { name: string; body: Uint8Array<ArrayBuffer>; expect: BadInput["expect"] }[] {
  const cases: { name: string; body: Uint8Array<ArrayBuffer>; expect: BadInput["expect"] }[] = [];
  const refused = (name: string, body: Uint8Array<ArrayBuffer>) =>
    cases.push({ name, body, expect: "refused" });
  refused("empty", new Uint8Array(0));
  refused("text", utf8("not a gguf"));
  refused("JSON", utf8('{"direction.1": [1, 2]}'));
  // Every cut leaves the file short of its own tensor data or header.
  for (let i = 1; i <= 40; i++) {
    const length = Math.floor((valid.length * i) / 41);
    refused(`cut to ${length} bytes`, valid.slice(0, length));
  }
  const u32 = (offset: number, value: number) =>
    patched(valid, offset, (view) => view.setUint32(offset, value, true));
  const u64 = (offset: number, value: bigint) =>
    patched(valid, offset, (view) => view.setBigUint64(offset, value, true));
  refused("another magic", u32(0, 0x46554747 ^ 0xff));
  for (const version of [0, 1, 4, 0xffffffff]) refused(`version ${version}`, u32(4, version));
  for (const count of [2n ** 63n, 2n ** 32n, 1_000_000n]) {
    refused(`${count} tensors`, u64(8, count));
    refused(`${count} metadata entries`, u64(16, count));
  }
  // The first metadata key's length.
  for (const length of [2n ** 63n, 2n ** 40n, 0n]) refused(`a key ${length} long`, u64(24, length));
  // Bytes flipped through the header: some leave a file that still reads; none may crash.
  const header = Math.min(valid.length, 400);
  for (let i = 0; i < 40; i++) {
    const offset = Math.floor((header * i) / 40);
    cases.push({
      name: `byte ${offset} flipped`,
      body: patched(valid, offset, (view) => view.setUint8(offset, view.getUint8(offset) ^ 0xff)),
      expect: "either",
    });
  }
  for (const value of ABSURD_VALUES) refused(`values of ${value}`, withValues(valid, 8, value));
  refused(`${maxBytes + 1} bytes`, new Uint8Array(maxBytes + 1));
  return cases;
}

/** The file's float values (its tensor data, at its end) set to `value`, for `count` of them. */
function withValues(
  valid: Uint8Array<ArrayBuffer>,
  count: number,
  value: number,
): Uint8Array<ArrayBuffer> {
  const copy = valid.slice();
  const view = new DataView(copy.buffer);
  for (let i = 1; i <= count; i++) view.setFloat32(copy.length - 4 * i, value, true);
  return copy;
}

// --- helpers ---

interface Located {
  path: (string | number)[];
  value: unknown;
}

/** Every value in `value` with its path, the root first. */
function walk(value: unknown, path: (string | number)[] = []): Located[] {
  const here: Located = { path, value };
  if (Array.isArray(value)) return [here, ...value.flatMap((item, i) => walk(item, [...path, i]))];
  if (isObject(value)) {
    return [here, ...Object.entries(value).flatMap(([key, item]) => walk(item, [...path, key]))];
  }
  return [here];
}

/** The error param's spelling of a path: "messages[0].role". */
export function paramOf(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function replaced(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(base) ? [...base] : { ...(base as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = replaced(copy[head], rest, value);
  return copy;
}

const MARK = "\u0000bad-input-mark\u0000";

/** `base` as JSON, with `raw` text as the value at `path`. */
function withRaw(base: unknown, path: readonly (string | number)[], raw: string): string {
  return JSON.stringify(replaced(base, path, MARK)).replace(JSON.stringify(MARK), raw);
}

/** `base` as JSON, with the object at `path` given the key `key` (which may be __proto__). */
function withRawKey(base: unknown, path: readonly (string | number)[], key: string): string {
  const object = path.reduce<unknown>((value, part) => (value as never)[part], base);
  const json = JSON.stringify(replaced(base, path, { ...(object as object), [MARK]: 1 }));
  return json.replace(JSON.stringify(MARK), JSON.stringify(key));
}

function omit(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _, ...rest } = value;
  return rest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function nestedObjects(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function safeJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** `json` with spaces after it, `bytes` long in all (JSON allows trailing whitespace). */
function padded(json: string, bytes: number): string {
  return json + " ".repeat(Math.max(0, bytes - json.length));
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new TextEncoder().encode(text));
}

function utf16(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(2 * i, text.charCodeAt(i), true);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function patched(
  bytes: Uint8Array<ArrayBuffer>,
  offset: number,
  change: (view: DataView) => void,
): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  if (offset < copy.length) change(new DataView(copy.buffer));
  return copy;
}
