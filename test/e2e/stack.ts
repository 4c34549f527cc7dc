// The end-to-end tests' stack: `npm start`'s own code (dev/start.ts) run as a process on the test
// model, with its state in a temporary folder and a node token of its own; what it prints gives the
// URLs, the node's pid, the development key and the operator token.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../dev/ports.ts";
import { stopProcess } from "../server/server-process.ts";
import { repoRoot } from "../support/engine.ts";

export interface Stack {
  edgeUrl: string;
  /** The first GPU node's URL. */
  nodeUrl: string;
  /** Every GPU node's URL (STEER_NODES of them), in the order npm start printed them. */
  nodeUrls: string[];
  /**
   * The running process id of the node at `url` (default: the first); the stack restarts a node
   * that dies, under a new one.
   */
  nodePid(url?: string): number;
  /** The bearer token between edge and node: what calling the node needs. */
  nodeToken: string;
  /** STEER_DEV_STATE: local D1 and R2, the node's vectors, the edge's secrets. */
  stateDir: string;
  apiKey: string;
  /** The edge's OPERATOR_TOKEN: what POST /v1/accounts needs. */
  operatorToken: string;
  /** Everything it has printed so far. */
  output(): string;
  /** Calls the edge as `key` (default: the development key); a string body is sent as JSON. */
  call(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;
/** A node's pid as npm start says it: at first ("GPU node: URL (pid N)"), and on each restart. */
const NODE_PID = /^(?:GPU node: +(\S+)|\[dev\] the GPU node (\S+) is back) \(pid (\d+)\)$/gm;

/** `env` adds to what `npm start` reads (STEER_OPERATOR_TOKEN, say). */
export async function startStack(env: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const stateDir = await mkdtemp(path.join(tmpdir(), "steer-e2e-"));
  // Ports of its own, named: npm start's defaults are for a developer's stack, and stacks started
  // side by side would race for them.
  const ports = { PORT: String(await freePort()), STEER_NODE_PORT: String(await freePort()) };
  const nodeToken = env.STEER_NODE_TOKEN ?? `e2e-${randomUUID()}`;
  const child = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...ports,
      ...env,
      STEER_NODE_TOKEN: nodeToken,
      STEER_MODEL: "test",
      STEER_DEV_STATE: stateDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (data) => {
    output += data;
  });
  child.stderr.on("data", (data) => {
    output += data;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const printed = await welcome(() => output, exited);
  const stack: Stack = {
    ...printed,
    nodeToken,
    stateDir,
    nodePid: (url = printed.nodeUrl) => {
      const said = [...output.matchAll(NODE_PID)].filter((m) => (m[1] ?? m[2]) === url);
      return Number(said.at(-1)?.[3]);
    },
    output: () => output,
    call: (route, init = {}) => callEdge(printed.edgeUrl, init.key ?? printed.apiKey, route, init),
    stop: async () => {
      // Ctrl-C, as a user would stop it; it must leave nothing running.
      await stopProcess(child, exited, "SIGINT", 20_000);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Waits for the lines `npm start` prints once everything is up. */
async function welcome(output: () => string, exited: Promise<number | null>) {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = output();
    const apiKey = /^API key: (\S+)$/m.exec(text)?.[1];
    const operatorToken = /^Operator token: +(\S+)$/m.exec(text)?.[1];
    const edgeUrl = /^Edge API: +(\S+)\/v1 /m.exec(text)?.[1];
    const nodeUrls = [...text.matchAll(/^GPU node: +(\S+) \(pid \d+\)$/gm)].map((m) => m[1] ?? "");
    const nodeUrl = nodeUrls[0];
    if (apiKey && operatorToken && edgeUrl && nodeUrl) {
      return { apiKey, operatorToken, edgeUrl, nodeUrl, nodeUrls };
    }
    if (exitCode !== undefined) throw new Error(`npm start exited (${exitCode}):\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`npm start did not come up:\n${output()}`);
}

function callEdge(
  edgeUrl: string,
  key: string | null,
  route: string,
  init: RequestInit,
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key) headers.set("authorization", `Bearer ${key}`);
  if (typeof init.body === "string") headers.set("content-type", "application/json");
  return fetch(`${edgeUrl}${route}`, { ...init, headers });
}
