// OpenAI's response_format on chat completions: plain text (the default), any JSON object, or JSON
// following a schema. A node holds the answer to it while sampling (a grammar from the schema), so
// a whole answer always parses and follows the schema; one cut short by max_tokens
// (finish_reason "length") may not. Schemas are checked by shared/structured-output's walk.
import { z } from "zod";
import { jsonRecord } from "../http/json-record.ts";
import {
  MAX_RESPONSE_SCHEMA_CHARS,
  MAX_RESPONSE_SCHEMA_PROPERTIES,
  MAX_RESPONSE_SCHEMA_REPETITIONS,
} from "../limits.ts";
import { schemaProblem } from "../structured-output/supported-schema.ts";

/** A JSON schema a structured answer can be held to; what cannot is an issue at its place. */
export const responseSchemaSchema = jsonRecord(z.string(), z.unknown())
  .superRefine((schema, context) => {
    const problem = schemaProblem(schema);
    if (problem) context.addIssue({ code: "custom", path: problem.path, message: problem.message });
  })
  .describe(
    "The JSON schema the answer follows. Supported: type (object, array, string, integer, number, " +
      "boolean, null, or a list of them), const, enum, anyOf, $ref to #/$defs/... (and " +
      "definitions), properties, required, additionalProperties, items, prefixItems, minItems, " +
      `maxItems (at most ${MAX_RESPONSE_SCHEMA_REPETITIONS}), minLength and maxLength (type ` +
      "string), format time or uuid, minimum, maximum, exclusiveMinimum and exclusiveMaximum " +
      "(type integer), and annotations (title, description, examples, default, $comment, " +
      "$schema, $id at the root). Anything else (pattern, oneOf, allOf, multipleOf, ...) is a 400 " +
      `naming it. At most ${MAX_RESPONSE_SCHEMA_CHARS} characters as JSON and ` +
      `${MAX_RESPONSE_SCHEMA_PROPERTIES} properties an object`,
  );

export const responseFormatSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("text") }),
    z.strictObject({ type: z.literal("json_object") }),
    z.strictObject({
      type: z.literal("json_schema"),
      json_schema: z.strictObject({
        name: z
          .string()
          .regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1 to 64 of a-z, A-Z, 0-9, _ and -")
          .describe("The schema's name"),
        description: z.string().nullish().describe("What the answer is for"),
        schema: responseSchemaSchema,
        strict: z
          .boolean()
          .nullish()
          .describe("Accepted; the answer follows the schema either way"),
      }),
    }),
  ])
  .describe(
    "text (the default); json_object: the answer is a JSON object; json_schema: it follows " +
      "json_schema.schema. It is held to it while sampled, so a finished answer always parses " +
      'and follows it; one cut short by max_tokens (finish_reason "length") may not',
  )
  .meta({ id: "ResponseFormat" });

export type ResponseFormat = z.infer<typeof responseFormatSchema>;

/** The JSON schema the answer must follow, or null for plain text. json_object is any object, as
 * llama-server has it. */
export function responseJsonSchema(format: ResponseFormat | null | undefined): object | null {
  if (!format || format.type === "text") return null;
  if (format.type === "json_object") return { type: "object" };
  return format.json_schema.schema;
}
