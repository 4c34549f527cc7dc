// Starts the GPU node the edge tests use (see gpu-node.ts), and stops it after them; a second
// one whose generator is an endpoint that answers nothing but malformed pairs (a local server
// playing an OpenAI-compatible one), for the tests of a generation that fails; and a third that
// serves another base model (the test model under another name), for routing by model. Tests inside
// workerd cannot read files or listen: the test model's planted "cheerful" vector (as GGUF bytes,
// base64), its words, its band trait (words and layers), its topic's words, a few MMLU release files and that node's
// URL are provided to them from here.
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import {
  ensureTestModel,
  readPlantedBand,
  readPlantedTopic,
  TEST_MODEL_SHAPE,
} from "../../gpu-node/test-model/index.ts";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { MMLU_SPLITS, mmluFileName } from "../../shared/evaluation/mmlu.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { startServer } from "../server/server-process.ts";
import { chatCompletion, startChatEndpoint } from "../support/chat-endpoint.ts";
import { readPlanted } from "../support/planted.ts";
import { NODE_TOKEN } from "./gpu-node.ts";

export default async function setup(project: TestProject) {
  const modelPath = await ensureTestModel();
  const planted = await readPlanted(modelPath, TEST_MODEL_SHAPE.blockCount);
  project.provide(
    "plantedVector",
    Buffer.from(encodeControlVector(planted.cheerful)).toString("base64"),
  );
  project.provide("plantedWords", planted.concept.positiveWords);
  const { metadata } = await readGgufFile(modelPath);
  const band = readPlantedBand(metadata);
  project.provide("plantedBand", {
    positive: band.positiveWords,
    negative: band.negativeWords,
    layers: band.layers,
  });
  project.provide("plantedTopic", readPlantedTopic(metadata).words);
  project.provide("mmluFiles", await readMmluFiles());
  const vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-edge-node-"));
  const port = Number(project.config.env.GPU_NODE_PORT);
  const node = await startServer({ vectorsDir, token: NODE_TOKEN, port });
  const malformed = await startChatEndpoint();
  malformed.reply = () => ({ body: chatCompletion("Arr! Pairs be for landlubbers.") });
  const generatorArgs = ["--generator-url", malformed.url, "--generator-model", "malformed"];
  const malformedDir = await mkdtemp(path.join(tmpdir(), "steer-edge-node-"));
  const malformedNode = await startServer({
    vectorsDir: malformedDir,
    token: NODE_TOKEN,
    args: generatorArgs,
  });
  project.provide("malformedGeneratorNode", malformedNode.url);
  // A node's model id is its file's name: the same weights, another base model.
  const otherDir = await mkdtemp(path.join(tmpdir(), "steer-edge-node-"));
  const otherModel = path.join(otherDir, `${OTHER_MODEL}.gguf`);
  await symlink(modelPath, otherModel);
  const otherNode = await startServer({
    vectorsDir: otherDir,
    token: NODE_TOKEN,
    model: otherModel,
  });
  project.provide("otherModelNode", { url: otherNode.url, model: OTHER_MODEL });
  return async () => {
    await Promise.all([node.stop(), malformedNode.stop(), otherNode.stop()]);
    await malformed.close();
    for (const dir of [vectorsDir, malformedDir, otherDir]) {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** The base model the third node serves. */
const OTHER_MODEL = "steer-other";

/** The team's copy of MMLU, beside the checkout (never in the repository). */
const MMLU_DIR = path.resolve(import.meta.dirname, "../../../shared/data/mmlu");

/** Subjects whose files the evaluation tests load: a few, small ones. */
const MMLU_SUBJECTS = ["abstract_algebra", "anatomy", "astronomy"];

/** Their test and dev files, as the release names them: file name -> its CSV. */
async function readMmluFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const subject of MMLU_SUBJECTS) {
    for (const split of MMLU_SPLITS) {
      const name = mmluFileName(subject, split);
      files[name] = await readFile(path.join(MMLU_DIR, split, name), "utf8");
    }
  }
  return files;
}
