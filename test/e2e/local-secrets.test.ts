// `npm start`'s secrets, the node token and the operator token, stay off every command line (which
// `ps` shows to anyone on the machine): wrangler reads them from a file only their owner can read,
// and the node from its environment. The edge still has them: the operator API and the node answer.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Stack } from "./stack.ts";
import { startStack } from "./stack.ts";
import { createAccount } from "./steerable.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** Every process's command line, by pid (those that end as they are read are passed over). */
async function commandLines(): Promise<Map<number, string>> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const lines = new Map<number, string>();
  for (const pid of pids) {
    const line = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (line) lines.set(Number(pid), line.replaceAll("\0", " "));
  }
  return lines;
}

it("keeps the tokens off every command line, in a vars file only its owner reads", async () => {
  const secrets = [stack.nodeToken, stack.operatorToken];
  const lines = [...(await commandLines()).values()];
  expect(lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);

  const varsFile = path.join(stack.stateDir, ".dev.vars");
  const wrangler = lines.filter((line) => line.includes("wrangler") && line.includes(" dev "));
  expect(wrangler.some((line) => line.includes(`--env-file ${varsFile}`))).toBe(true);
  expect((await stat(varsFile)).mode & 0o777).toBe(0o600);
});

it("gives the edge its secrets all the same", async () => {
  // The operator token opens the operator API; the node token, the node's.
  await createAccount(stack, "secrets test");
  const models = await stack.call("/v1/models");
  expect(models.status).toBe(200);
});
