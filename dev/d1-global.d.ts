// The edge's code that dev/ reuses names D1's types as the Workers runtime declares them, globally.
// Only those types are borrowed here: the whole runtime's globals clash with Node's.
type D1Database = import("@cloudflare/workers-types/index.ts").D1Database;
type D1PreparedStatement = import("@cloudflare/workers-types/index.ts").D1PreparedStatement;
type D1Result<T = unknown> = import("@cloudflare/workers-types/index.ts").D1Result<T>;
