// The development API key, issued by dev/issue-dev-key.ts in a process of its own: wrangler's local
// bindings install exit hooks there that would cut short the stack's own Ctrl-C handling here.
import { fileURLToPath } from "node:url";
import { runToCompletion } from "./processes.ts";

const SCRIPT = fileURLToPath(new URL("issue-dev-key.ts", import.meta.url));

/** Run it before `wrangler dev` opens the same local D1. */
export async function issueDevKey(stateDir: string): Promise<string> {
  const output = await runToCompletion(process.execPath, ["--import", "tsx", SCRIPT, stateDir], {});
  const key = /^sk-steer-\S+$/m.exec(output)?.[0];
  if (!key) throw new Error(`no development key was issued:\n${output}`);
  return key;
}
