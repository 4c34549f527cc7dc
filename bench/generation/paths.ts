// Where the benchmark keeps what it builds and writes: all under the repository's .cache folder,
// which git ignores, so a second run reuses the first run's builds and models.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cacheDir = path.join(repoRoot, ".cache");
export const modelsDir = path.join(cacheDir, "models");
