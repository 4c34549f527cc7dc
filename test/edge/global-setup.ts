// Starts the GPU node the edge tests use (see gpu-node.ts), and stops it after them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureTestModel } from "../../gpu-node/test-model/index.ts";
import { startServer } from "../server/server-process.ts";
import { NODE_TOKEN } from "./gpu-node.ts";

export default async function setup(project: TestProject) {
  await ensureTestModel();
  const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-edge-node-"));
  const port = Number(project.config.env.GPU_NODE_PORT);
  const node = await startServer({ vectorsDir, token: NODE_TOKEN, port });
  return async () => {
    await node.stop();
    await rm(vectorsDir, { recursive: true, force: true });
  };
}
