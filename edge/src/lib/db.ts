// Drizzle over the Worker's D1 binding: one instance per binding, made on first use. Making one
// walks the whole schema, which is worth doing once per isolate rather than on every request.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema.ts";

export type Db = ReturnType<typeof connect>;

const instances = new WeakMap<D1Database, Db>();

export function database(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = connect(d1);
    instances.set(d1, db);
  }
  return db;
}

function connect(d1: D1Database) {
  return drizzle(d1, { schema });
}
