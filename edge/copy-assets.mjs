// Copies what the Worker serves besides its own code out of node_modules into edge/assets: the API
// reference's script, from @scalar/api-reference. A .txt file, so that wrangler bundles it as a
// text module (its default rule for *.txt) and the Worker serves it itself. Run by `npm install`.
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const scalar = path.dirname(fileURLToPath(import.meta.resolve("@scalar/api-reference")));
const target = path.join(here, "assets");
mkdirSync(target, { recursive: true });
copyFileSync(path.join(scalar, "browser/standalone.js"), path.join(target, "api-reference.js.txt"));
