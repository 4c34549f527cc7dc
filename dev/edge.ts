// The local stack's edge: the Worker under `wrangler dev --local`, with local D1 and R2 kept in
// `stateDir` (wrangler's --persist-to), its migrations applied first. Its secrets go to wrangler in
// a vars file only their owner can read: on its command line, `ps` would show them to anyone.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Child, runToCompletion, startChild, waitUntilUp } from "./processes.ts";

/** wrangler runs offline: no metrics, no update checks, no fetch of Cloudflare's `cf` object. */
export const WRANGLER_ENV: NodeJS.ProcessEnv = {
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  DO_NOT_TRACK: "1",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

const START_TIMEOUT_MS = 60_000;

export interface EdgeOptions {
  port: number;
  stateDir: string;
  /** The GPU nodes' base URLs and the bearer token they expect. */
  gpuNodes: string[];
  nodeToken: string;
  /** The operator API's bearer token (POST /v1/accounts). */
  operatorToken: string;
}

export async function applyMigrations(stateDir: string): Promise<void> {
  await runToCompletion(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir],
    WRANGLER_ENV,
  );
}

export async function startEdge(options: EdgeOptions): Promise<{ url: string; child: Child }> {
  const { port, stateDir, gpuNodes, nodeToken, operatorToken } = options;
  const secrets = { NODE_TOKEN: nodeToken, OPERATOR_TOKEN: operatorToken };
  const varsFile = await writeVarsFile(stateDir, secrets);
  const child = startChild(
    "npx",
    [
      "wrangler",
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      stateDir,
      "--show-interactive-dev-session=false",
      "--var",
      `GPU_NODES:${gpuNodes.join(",")}`,
      "--env-file",
      varsFile,
    ],
    { env: WRANGLER_ENV, label: "edge" },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/healthz`, child, { timeoutMs: START_TIMEOUT_MS });
  return { url, child };
}

/**
 * Writes `vars` as a .dev.vars file (NAME=value lines) in `stateDir`, new each run and readable by
 * its owner alone (mode 600). Values are written as they are: bearer tokens need no quoting.
 */
async function writeVarsFile(stateDir: string, vars: Record<string, string>): Promise<string> {
  const file = path.join(stateDir, ".dev.vars");
  const lines = Object.entries(vars).map(([name, value]) => `${name}=${value}\n`);
  await mkdir(stateDir, { recursive: true });
  await rm(file, { force: true });
  // Created with its mode ("wx": never an older file with another one).
  await writeFile(file, lines.join(""), { mode: 0o600, flag: "wx" });
  return file;
}
