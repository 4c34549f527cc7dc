// The edge's tests run inside workerd (the Workers runtime), on the Worker itself with real local
// D1 and R2, and a real GPU node on the test model (gpu-node.ts); every test file starts from the
// migrations in migrations/ (setup.ts).
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { freePort } from "../../dev/ports.ts";
import { NODE_TOKEN } from "./gpu-node.ts";
import { OPERATOR_TOKEN } from "./operator-token.ts";
import { quietExpectedDisconnects } from "./workerd-noise.ts";

quietExpectedDisconnects();

const root = path.resolve(import.meta.dirname, "../..");
const nodePort = await freePort();

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
          GPU_NODES: `http://127.0.0.1:${nodePort}`,
          NODE_TOKEN,
          OPERATOR_TOKEN,
        },
      },
    })),
  ],
  test: {
    name: "edge",
    // The repository's root, so that the Worker's modules outside test/edge (its text module
    // among them) resolve as plain paths.
    root,
    include: [path.join(import.meta.dirname, "**/*.test.ts")],
    setupFiles: [path.join(import.meta.dirname, "setup.ts")],
    globalSetup: [path.join(import.meta.dirname, "global-setup.ts")],
    env: { GPU_NODE_PORT: String(nodePort) },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
