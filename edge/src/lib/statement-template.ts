// Writes done often (the usage queue's batches of rows) as D1 prepared statements, made once per D1
// binding from a drizzle query whose values are placeholders: the SQL still comes from the schema,
// but drizzle's builder, which costs the Worker more CPU than the rest of a request, runs once.
import { is, Param, Placeholder } from "drizzle-orm";

/** Binds values, by placeholder name, to the statement. */
export type StatementTemplate = (values: Record<string, unknown>) => D1PreparedStatement;

export function statementTemplate(
  d1: D1Database,
  query: { toSQL(): { sql: string; params: unknown[] } },
): StatementTemplate {
  const { sql, params } = query.toSQL();
  const names = params.map(placeholderName);
  const statement = d1.prepare(sql);
  return (values) => statement.bind(...names.map((name) => values[name]));
}

function placeholderName(param: unknown): string {
  const value = is(param, Param) ? param.value : param;
  if (!is(value, Placeholder)) throw new Error("a statement template takes placeholders only");
  return value.name;
}

/** `make`, once per D1 binding (one per isolate in practice). */
export function perBinding<T>(make: (d1: D1Database) => T): (d1: D1Database) => T {
  const made = new WeakMap<D1Database, T>();
  return (d1) => {
    let value = made.get(d1);
    if (value === undefined) {
      value = make(d1);
      made.set(d1, value);
    }
    return value;
  };
}
