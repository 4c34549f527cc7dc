// An earlier commit of the repository, checked out beside it (a detached git worktree under
// .cache), ready for its edge to be bundled: the repository's node_modules linked in, and the
// Worker's assets copied as `npm install` copies them. What the edge's benchmark compares with.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { cacheDir, repoRoot } from "../generation/paths.ts";

const run = promisify(execFile);

/** The checkout of `ref` (a commit, a branch), made or moved there; answers its folder. */
export async function baselineCheckout(ref: string): Promise<string> {
  const folder = path.join(cacheDir, "edge-baseline");
  if (existsSync(folder)) {
    await run("git", ["checkout", "--detach", "--force", ref], { cwd: folder });
  } else {
    await run("git", ["worktree", "add", "--detach", "--force", folder, ref], { cwd: repoRoot });
  }
  const modules = path.join(folder, "node_modules");
  if (!existsSync(modules)) await symlink(path.join(repoRoot, "node_modules"), modules);
  await run(process.execPath, [path.join(folder, "edge/copy-assets.mjs")], { cwd: folder });
  return folder;
}
