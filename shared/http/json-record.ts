// A JSON object whose keys are data (trait -> multiplier, vector id -> multiplier, trait -> its
// examples): zod's record, in which every key the client sent counts. JSON.parse makes
// "__proto__" an own key like any other, but zod's record passes over it (written to a plain
// object it would set the prototype), so a request naming it would run as if it had not: here it
// is refused like any key the key's schema refuses, a 400 naming it (`steering.__proto__`).
import { z } from "zod";

const PROTO = "__proto__";

export function jsonRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) {
  const record = z.record(key, value);
  return z.preprocess((input: z.input<typeof record>, context) => {
    if (typeof input === "object" && input !== null && Object.hasOwn(input, PROTO)) {
      // The key schema's own words, as for any other key it refuses.
      const refused = z.safeParse(key, PROTO).error?.issues[0]?.message;
      const message = refused ?? `"${PROTO}" cannot be a key`;
      context.addIssue({ code: "custom", path: [PROTO], message, input });
    }
    return input;
  }, record);
}
