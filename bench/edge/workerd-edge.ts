// The edge as it runs when deployed: the Worker bundled by wrangler (`wrangler deploy --dry-run`)
// and run in workerd through Miniflare, with no `wrangler dev` in front (its local proxy adds
// milliseconds a deployed Worker does not have), its queue and Durable Objects run by Miniflare as
// wrangler.toml declares them. Its local D1 and R2 live in a state folder laid out as wrangler's,
// so `npm start`'s own code applies the migrations and issues the key. `root` may be another
// checkout of the repository (an earlier commit's, to compare with): its Worker, wrangler.toml
// and migrations are used.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { issueDevKey } from "../../dev/dev-key.ts";
import { WRANGLER_ENV } from "../../dev/edge.ts";
import { cacheDir, repoRoot } from "../generation/paths.ts";

export interface WorkerdEdge {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

export async function startWorkerdEdge(
  nodeUrl: string,
  nodeToken: string,
  root = repoRoot,
): Promise<WorkerdEdge> {
  const bundle = path.join(cacheDir, root === repoRoot ? "edge-bundle" : "edge-bundle-baseline");
  const wrangler = (args: string[]) =>
    promisify(execFile)("npx", ["wrangler", ...args], {
      cwd: root,
      env: { ...process.env, ...WRANGLER_ENV },
    });
  await wrangler(["deploy", "--dry-run", "--outdir", bundle]);
  // In memory (tmpfs): D1 in workerd runs SQLite on the Worker's own thread, where a disk's fsync
  // at every write would stall requests; deployed, D1 runs elsewhere and never blocks the Worker.
  const stateDir = await mkdtemp(
    path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "steer-bench-edge-"),
  );
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir]);
  const apiKey = await issueDevKey(stateDir);
  // wrangler.toml's bindings, compatibility date and so on, as wrangler itself reads them.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml"));
  // STEER_EDGE_INSPECTOR_PORT: workerd's V8 inspector there, to profile the Worker's CPU.
  const inspector = Number(process.env.STEER_EDGE_INSPECTOR_PORT) || undefined;
  const miniflare = new Miniflare({
    ...(inspector ? { inspectorPort: inspector } : {}),
    ...workerOptions,
    modules: true,
    scriptPath: path.join(bundle, "index.js"),
    d1Persist: path.join(stateDir, "v3/d1"),
    r2Persist: path.join(stateDir, "v3/r2"),
    bindings: {
      ...workerOptions.bindings,
      GPU_NODES: nodeUrl,
      NODE_TOKEN: nodeToken,
      // Still counted and checked on every request, but never reached by the benchmark's load.
      RATE_LIMIT_REQUESTS_PER_MINUTE: 1_000_000,
      RATE_LIMIT_TOKENS_PER_MINUTE: 1_000_000_000,
    },
  } as MiniflareOptions);
  const url = (await miniflare.ready).toString().replace(/\/$/, "");
  return {
    url,
    apiKey,
    stop: async () => {
      await miniflare.dispose();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
