// `npm start`: the whole product on this machine. GPU nodes (`steer serve` on STEER_MODEL, one
// unless STEER_NODES says more, each its own process and port), the edge Worker under `wrangler
// dev` with local D1 and R2 (the nodes in its GPU_NODES, so registered), a development API key,
// and an operator token for the operator API (accounts, GPU nodes); Ctrl-C stops all.
//
//   STEER_MODEL      "test" (the generated test model), a GGUF path, or an hf: URI (default: Llama
//                    3.1 8B Instruct, Q4_K_M, downloaded once into .cache/models/hf)
//   STEER_NODES      how many GPU nodes (default 1, at most MAX_NODES), on the ports after the first
//                    node's; each keeps its vectors in <STEER_DEV_STATE>/node-vectors[-N]
//   PORT             the edge's port (default 8787); STEER_NODE_PORT the first node's (default 8788);
//                    a default that is taken gives way to a free port, a named one stops it
//   STEER_THREADS, STEER_PARALLEL, ...  steer serve's settings, which each node reads itself
//   STEER_NODE_TOKEN the bearer token between edge and node (default: a new random one)
//   STEER_OPERATOR_TOKEN  the edge's OPERATOR_TOKEN, for the operator API (default: a new random
//                    one)
//   STEER_DEV_STATE  where wrangler keeps local D1 and R2 (default .wrangler/state), the node its
//                    vector cache (<STEER_DEV_STATE>/node-vectors), and the edge the two tokens
//                    (<STEER_DEV_STATE>/.dev.vars, mode 600: never on a command line)
//   STEER_MMLU_DIR   a folder of MMLU release files (test/, dev/) loaded into the edge once it is up,
//                    for evaluations to ask (as `npm run mmlu:load` does)
import { randomBytes } from "node:crypto";
import path from "node:path";
import { issueDevKey } from "./dev-key.ts";
import { applyMigrations, startEdge } from "./edge.ts";
import { DEFAULT_MODEL, ModelUnavailable, resolveModel, SupervisedNode } from "./gpu-node.ts";
import { loadMmlu } from "./mmlu.ts";
import { PortUnavailable, stackPorts } from "./ports.ts";
import type { Child } from "./processes.ts";

async function main(): Promise<number> {
  const stateDir = path.resolve(process.env.STEER_DEV_STATE || ".wrangler/state");
  let model: string;
  let ports: { edge: number; nodes: number[] };
  let nodeToken: string;
  let operatorToken: string;
  try {
    nodeToken = tokenFrom("STEER_NODE_TOKEN");
    operatorToken = tokenFrom("STEER_OPERATOR_TOKEN");
    const nodeCount = nodeCountFrom(process.env.STEER_NODES);
    model = await resolveModel(process.env.STEER_MODEL || DEFAULT_MODEL);
    ports = await stackPorts(nodeCount);
  } catch (error) {
    const said = [InvalidToken, InvalidNodeCount, ModelUnavailable, PortUnavailable];
    if (!said.some((kind) => error instanceof kind)) throw error;
    process.stderr.write(`npm start: ${(error as Error).message}\n`);
    return 1;
  }
  const nodes = ports.nodes.map(
    (port, i) =>
      new SupervisedNode({
        model,
        port,
        token: nodeToken,
        // Each node's cache of its own, as on separate machines.
        vectorsDir: path.join(stateDir, i === 0 ? "node-vectors" : `node-vectors-${i + 1}`),
      }),
  );
  let edge: Child | undefined;
  const stop = async () => {
    await Promise.all([...nodes.map((node) => node.stop()), edge?.stop()]);
  };
  onSignal(stop);
  try {
    await applyMigrations(stateDir);
    const apiKey = await issueDevKey(stateDir);
    await Promise.all(nodes.map((node) => node.start()));
    const started = await startEdge({
      port: ports.edge,
      stateDir,
      gpuNodes: nodes.map((node) => node.url),
      nodeToken,
      operatorToken,
    });
    edge = started.child;
    await loadMmluFrom(process.env.STEER_MMLU_DIR, { url: started.url, token: operatorToken });
    printWelcome(started.url, nodes, { apiKey, operatorToken });
    process.stderr.write(`npm start: the edge exited (${await edge.exited})\n`);
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n`);
  }
  await stop();
  return 1;
}

/**
 * Loads the folder's MMLU into the edge, when one is named. The stack runs without it (evaluations
 * then say none is loaded), so a folder that fails to load is reported, not fatal.
 */
async function loadMmluFrom(dir: string | undefined, edge: { url: string; token: string }) {
  if (!dir) return;
  try {
    const { files, questions } = await loadMmlu(dir, edge);
    process.stderr.write(
      `npm start: loaded ${files} MMLU files (${questions} questions) from ${dir}\n`,
    );
  } catch (error) {
    process.stderr.write(
      `npm start: MMLU from STEER_MMLU_DIR was not loaded: ${(error as Error).message}\n`,
    );
  }
}

/** More nodes than a development machine runs usefully, each a whole model in memory. */
const MAX_NODES = 8;

class InvalidNodeCount extends Error {}

/** STEER_NODES: how many GPU nodes (default 1). */
function nodeCountFrom(value: string | undefined): number {
  if (!value) return 1;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new InvalidNodeCount(
      `STEER_NODES must be a whole number from 1 to ${MAX_NODES}, not ${JSON.stringify(value)}`,
    );
  }
  return count;
}

/** A bearer token's characters (RFC 6750): what an Authorization header carries as it is. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

class InvalidToken extends Error {}

/** The token the variable `name` sets, else a new random one. */
function tokenFrom(name: string): string {
  const token = process.env[name];
  if (!token) return randomBytes(24).toString("base64url");
  if (!BEARER_TOKEN.test(token)) {
    throw new InvalidToken(`${name} must be a bearer token: letters, digits and - . _ ~ + /`);
  }
  return token;
}

/** test/e2e/stack.ts reads the URLs, the nodes' pids and the secrets from these lines. */
function printWelcome(
  edgeUrl: string,
  nodes: SupervisedNode[],
  secrets: { apiKey: string; operatorToken: string },
): void {
  process.stdout.write(
    [
      "",
      "Steer is running. Ctrl-C stops it.",
      `Edge API:   ${edgeUrl}/v1 (the openai client's baseURL)`,
      `Playground: ${edgeUrl}/playground`,
      ...nodes.map((node) => `GPU node:   ${node.url} (pid ${node.pid})`),
      // Exactly "API key: " and the key: scripts read the line so.
      `API key: ${secrets.apiKey}`,
      `Operator token: ${secrets.operatorToken}`,
      "",
    ].join("\n"),
  );
}

/** SIGINT or SIGTERM stops everything, then exits 0; a second one exits at once. */
function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`\nnpm start: ${signal}; stopping\n`);
    void stop().then(() => process.exit(0));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

process.exitCode = await main();
