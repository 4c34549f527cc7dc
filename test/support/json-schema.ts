// Checking structured answers against their JSON schema with a validator of its own (ajv, draft
// 2020-12), not with the code that made them. The formats Steer supports are checked by RFC
// 3339's and RFC 4122's rules.
import { Ajv2020 } from "ajv/dist/2020.js";

const ajv = new Ajv2020({
  allErrors: true,
  // A schema's tuple (prefixItems) is the whole array to Steer: ajv need not warn that it is not.
  strictTuples: false,
  formats: {
    time: /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i,
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  },
});

/** What is wrong with `text` as JSON following `schema`, in words; null: nothing. */
export function schemaViolation(schema: object, text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message}): ${text}`;
  }
  const validate = ajv.compile(schema);
  if (validate(value)) return null;
  return `${ajv.errorsText(validate.errors)}: ${text}`;
}
