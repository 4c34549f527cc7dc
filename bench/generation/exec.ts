import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFilePromise = promisify(execFile);

/** Runs a program to completion and returns its stdout; a failure's error carries its stderr. */
export async function execFileAsync(file: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFilePromise(file, args, { maxBuffer: 64 << 20 });
  return stdout;
}
