// Starts the GPU node the edge tests use (see gpu-node.ts), and stops it after them. Tests inside
// workerd cannot read files: the test model's planted "cheerful" vector (as GGUF bytes, base64) and
// its words are provided to them from here.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureTestModel, TEST_MODEL_SHAPE } from "../../gpu-node/test-model/index.ts";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { startServer } from "../server/server-process.ts";
import { readPlanted } from "../support/planted.ts";
import { NODE_TOKEN } from "./gpu-node.ts";

export default async function setup(project: TestProject) {
  const planted = await readPlanted(await ensureTestModel(), TEST_MODEL_SHAPE.blockCount);
  project.provide(
    "plantedVector",
    Buffer.from(encodeControlVector(planted.cheerful)).toString("base64"),
  );
  project.provide("plantedWords", planted.concept.positiveWords);
  const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-edge-node-"));
  const port = Number(project.config.env.GPU_NODE_PORT);
  const node = await startServer({ vectorsDir, token: NODE_TOKEN, port });
  return async () => {
    await node.stop();
    await rm(vectorsDir, { recursive: true, force: true });
  };
}
