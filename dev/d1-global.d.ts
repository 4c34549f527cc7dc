// The edge's code that dev/ reuses names D1's type as the Workers runtime declares it, globally.
// Only that one type is borrowed here: the whole runtime's globals clash with Node's.
type D1Database = import("@cloudflare/workers-types/index.ts").D1Database;
