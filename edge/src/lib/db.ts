// Drizzle over the Worker's D1 binding: one instance per binding, made on first use. Making one
// walks the whole schema, which is worth doing once per isolate rather than on every request.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema.ts";
import { perBinding } from "./statement-template.ts";

export type Db = ReturnType<typeof connect>;

export const database: (d1: D1Database) => Db = perBinding(connect);

function connect(d1: D1Database) {
  return drizzle(d1, { schema });
}
