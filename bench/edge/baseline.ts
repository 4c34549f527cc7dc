// An earlier commit of the repository, its files written out under .cache (`git archive`: no
// worktree registered, nothing of the repository's own state touched), ready for its edge to be
// bundled: the repository's node_modules linked in, and the Worker's assets copied as `npm
// install` copies them. What the edge's benchmark compares with.
import { execFile } from "node:child_process";
import { mkdir, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { cacheDir, repoRoot } from "../generation/paths.ts";

const run = promisify(execFile);

/** The files of `ref` (a commit, a branch), written afresh; answers their folder. */
export async function baselineCheckout(ref: string): Promise<string> {
  const folder = path.join(cacheDir, "edge-baseline");
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const archive = path.join(cacheDir, "edge-baseline.tar");
  await run("git", ["archive", "--format=tar", "--output", archive, ref], { cwd: repoRoot });
  await run("tar", ["-xf", archive, "-C", folder]);
  await rm(archive);
  await symlink(path.join(repoRoot, "node_modules"), path.join(folder, "node_modules"));
  await run(process.execPath, [path.join(folder, "edge/copy-assets.mjs")], { cwd: folder });
  return folder;
}
