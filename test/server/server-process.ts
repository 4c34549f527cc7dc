// Starts `steer serve` as a real process (on the test model unless told) and a free port, keeping
// what it writes. The tests use it, and so does bench/serve.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { RequestRecord } from "../../gpu-node/server/request-log.ts";
import { repoRoot, testModelPath } from "../support/engine.ts";

export interface ServerProcess {
  url: string;
  /** Lines written to stdout after the "listening" one: the request log. */
  logLines(): string[];
  /** Lines written to stdout before it: what it says as it starts. */
  startLines(): string[];
  stderr(): string;
  /** The request log's record for `requestId`, once written. */
  logOf(requestId: string): Promise<RequestRecord>;
  /** Sends a signal; `exited` gives the exit code. */
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startServer(options: {
  vectorsDir: string;
  token?: string;
  /** A path or hf: URI (default: the test model), and extra `steer serve` arguments. */
  model?: string;
  args?: string[];
  /** Default: any free port. */
  port?: number;
  /** Per request (default 512), and CPU threads (default 1: see test/support/engine.ts). */
  contextSize?: number;
  threads?: number;
  /** Added to its environment (an endpoint's API key, say). */
  env?: NodeJS.ProcessEnv;
}): Promise<ServerProcess> {
  const args = [
    path.join(repoRoot, "bin/steer.js"),
    "serve",
    "--model",
    options.model ?? testModelPath,
    "--port",
    String(options.port ?? 0),
    "--ctx-size",
    String(options.contextSize ?? 512),
    "--threads",
    String(options.threads ?? 1),
    "--vectors-dir",
    options.vectorsDir,
    ...(options.args ?? []),
  ];
  const env = { ...process.env, ...options.env, STEER_NODE_TOKEN: options.token ?? "" };
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (data) => {
    stderr += data;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const lines: string[] = [];
  let partial = "";
  child.stdout?.on("data", (data) => {
    const parts = (partial + data).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  const listening = /^steer serve: listening on (http:\/\/\S+)$/;
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", () => {
      const match = lines.map((line) => listening.exec(line)).find(Boolean);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`steer serve exited (${code}): ${stderr}`)));
  });
  const logLines = () => lines.slice(lines.findIndex((line) => listening.test(line)) + 1);
  return {
    url,
    logLines,
    startLines: () =>
      lines.slice(
        0,
        lines.findIndex((line) => listening.test(line)),
      ),
    stderr: () => stderr,
    logOf: (requestId) => logOf(logLines, requestId),
    kill: (signal) => child.kill(signal),
    exited,
    stop: () => stopProcess(child, exited),
  };
}

async function logOf(lines: () => string[], requestId: string): Promise<RequestRecord> {
  const started = Date.now();
  for (;;) {
    const record = lines()
      .map((line) => JSON.parse(line) as RequestRecord)
      .find((r) => r.request_id === requestId);
    if (record) return record;
    if (Date.now() - started > 5000) throw new Error(`no log line for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends `signal`, and SIGKILL if the process has not exited `graceMs` later. */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal: NodeJS.Signals = "SIGTERM",
  graceMs = 5000,
): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
