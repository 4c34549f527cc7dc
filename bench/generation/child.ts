// Each Node contender runs in a process of its own: llama.cpp's backends are loaded once per
// process, the engine and node-llama-cpp would otherwise share them, and a fresh process starts
// every contender from the same clean state. The parent passes JSON in argv and reads JSON back
// from the last line of the child's stdout; everything else the child says goes to stderr.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./paths.ts";

/** Runs `file` with `input`; resolves to its result. */
export function runWorker<T>(file: URL, input: unknown): Promise<T> {
  const script = fileURLToPath(file);
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(input)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const lastLine = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0) resolve(JSON.parse(lastLine) as T);
      else reject(new Error(`${script} exited with ${code}`));
    });
  });
}

export function workerInput<T>(): T {
  return JSON.parse(process.argv[2] ?? "null") as T;
}

export function workerOutput(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
