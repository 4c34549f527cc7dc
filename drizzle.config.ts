// drizzle-kit: `npx drizzle-kit generate` writes the SQL for changes to edge/src/db/schema.ts into
// migrations/, which wrangler applies (`wrangler d1 migrations apply DB --local`) and tests read.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./edge/src/db/schema.ts",
  out: "./migrations",
});
