// Copies what the Worker serves as static assets (wrangler.toml [assets]) out of node_modules into
// edge/assets: the API reference's script, from @scalar/api-reference. Run by `npm install`.
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const scalar = path.dirname(fileURLToPath(import.meta.resolve("@scalar/api-reference")));
const target = path.join(here, "assets/docs");
mkdirSync(target, { recursive: true });
copyFileSync(path.join(scalar, "browser/standalone.js"), path.join(target, "scalar.js"));
