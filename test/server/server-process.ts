// Starts `steer serve` as a real process on the test model and a free port.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { repoRoot, testModelPath } from "../support/engine.ts";

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startServer(options: {
  vectorsDir: string;
  token?: string;
  /** A path or hf: URI (default: the test model), and extra `steer serve` arguments. */
  model?: string;
  args?: string[];
}): Promise<ServerProcess> {
  const args = [
    path.join(repoRoot, "bin/steer.js"),
    "serve",
    "--model",
    options.model ?? testModelPath,
    "--port",
    "0",
    "--context-size",
    "512",
    "--threads",
    "1",
    "--vectors-dir",
    options.vectorsDir,
    ...(options.args ?? []),
  ];
  const env = { ...process.env, STEER_NODE_TOKEN: options.token ?? "" };
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (data) => {
    stderr += data;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (data) => {
      stdout += data;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`steer serve exited (${code}): ${stderr}`)));
  });
  return { url, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
