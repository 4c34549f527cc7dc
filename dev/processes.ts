// Child processes of the local stack. Each runs in its own process group, because `npx wrangler
// dev` leaves wrangler and workerd behind when only its first process is killed; stopping a child
// stops its whole group.
import { type ChildProcess, spawn } from "node:child_process";

export interface Child {
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the group leader has exited. */
  exited: Promise<number | string | null>;
  /** SIGTERM to the group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; label: string },
): Child {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixLines(child, options.label);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  return { process: child, exited, stop: (graceMs = 10_000) => stopGroup(child, exited, graceMs) };
}

/** Runs a command to completion; rejects with its output when it fails. */
export async function runToCompletion(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const child = spawn(command, args, { env: { ...process.env, ...env } });
  let output = "";
  child.stdout.on("data", (data) => {
    output += data;
  });
  child.stderr.on("data", (data) => {
    output += data;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code}):\n${output}`);
  return output;
}

/** Polls `url` until it answers 2xx; fails early when `child` exits first. */
export async function waitUntilUp(
  url: string,
  child: Child,
  options: { timeoutMs: number },
): Promise<void> {
  const { timeoutMs } = options;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`it exited before answering ${url}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function stopGroup(child: ChildProcess, exited: Promise<unknown>, graceMs: number) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  signalGroup(child.pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child.pid as number, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  // The leader may go first; make sure nothing of the group stays behind.
  signalGroup(child.pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Passes a child's output through, each line tagged with where it came from. */
function prefixLines(child: ChildProcess, label: string): void {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    let partial = "";
    stream?.on("data", (data) => {
      const lines = (partial + data).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) out.write(`[${label}] ${line}\n`);
    });
  }
}
