// vitest globalSetup: generate the shared test model once, before any test file runs.
import { ensureTestModel } from "../gpu-node/test-model/index.ts";

export default async function setup(): Promise<void> {
  await ensureTestModel();
}
