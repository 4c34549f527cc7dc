// The edge tests run against a real GPU node: `steer serve` on the test model, started once for the
// edge project (globalSetup) on a port chosen when the config loads, so that the Worker's
// GPU_NODES binding can name it. NODE_TOKEN is its bearer token.
import { createServer } from "node:net";

export const NODE_TOKEN = "edge-test-node-token";

/** A port free now (the node binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
