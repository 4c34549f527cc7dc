// The edge tests run against a real GPU node: `steer serve` on the test model, started once for the
// edge project (globalSetup) on a port chosen when the config loads, so that the Worker's
// GPU_NODES binding can name it. NODE_TOKEN is its bearer token.
export const NODE_TOKEN = "edge-test-node-token";
