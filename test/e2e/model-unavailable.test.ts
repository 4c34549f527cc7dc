// `npm start` on a model it cannot have (offline, or a file that is not there): it stops at once
// with exit 1 and a message naming STEER_MODEL, the variable its users choose a model with, not
// the `steer serve` flag underneath.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { repoRoot } from "../support/engine.ts";

async function npmStart(env: NodeJS.ProcessEnv) {
  const run = promisify(execFile)(process.execPath, ["--import", "tsx", "dev/start.ts"], {
    cwd: repoRoot,
    // Port 1 answers nobody: the hub is unreachable, as it is offline.
    env: { ...process.env, HF_ENDPOINT: "http://127.0.0.1:1/", ...env },
    timeout: 30_000,
  });
  return run.then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

it.each([
  ["an hf: model, offline", "hf:nobody/missing:Q4_K_M", "cannot be reached"],
  ["a missing file", "/nowhere/model.gguf", "does not exist"],
])("stops on %s, saying how to choose another with STEER_MODEL", async (_, model, why) => {
  const { code, stderr } = await npmStart({ STEER_MODEL: model });
  expect(code).toBe(1);
  expect(stderr).toContain(why);
  expect(stderr).toContain("STEER_MODEL=test npm start");
  expect(stderr).not.toContain("--model");
  expect(stderr).not.toMatch(/^\s+at /m);
});
