// Builds the native addon: extracts llama.cpp's headers from node-llama-cpp's source bundle (once),
// then compiles with node-gyp against them. Run by `npm install` (the package's install script).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const paths = require("./paths.cjs");
const here = path.dirname(new URL(import.meta.url).pathname);

function run(command, args, cwd = here) {
  execFileSync(command, args, { cwd, stdio: "inherit" });
}

/** Only the headers are needed: clone the bundle without a checkout, then check out two folders. */
function extractHeaders() {
  if (existsSync(path.join(paths.vendorDir, "include/llama.h"))) return;
  if (!existsSync(paths.llamaBundle)) {
    throw new Error(`llama.cpp source bundle not found at ${paths.llamaBundle}: run npm install`);
  }
  const tmp = mkdtempSync(path.join(tmpdir(), "steer-llama-"));
  try {
    run("git", ["clone", "--quiet", "--no-checkout", paths.llamaBundle, tmp]);
    run(
      "git",
      [
        "-c",
        "advice.detachedHead=false",
        "checkout",
        "--quiet",
        "HEAD",
        "--",
        "include",
        "ggml/include",
      ],
      tmp,
    );
    rmSync(paths.vendorDir, { recursive: true, force: true });
    run("mkdir", ["-p", paths.vendorDir]);
    run("cp", ["-r", path.join(tmp, "include"), path.join(tmp, "ggml"), paths.vendorDir]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** npm runs install scripts with its own node-gyp at hand; outside npm, fall back to npx. */
function nodeGyp(args) {
  const bundled = process.env.npm_config_node_gyp;
  if (bundled) run(process.execPath, [bundled, ...args]);
  else run("npx", ["--yes", "node-gyp", ...args]);
}

/** Build against the headers of the Node that runs us, when it ships them: nothing to download. */
function nodeDirArgs() {
  const nodeDir = path.resolve(process.execPath, "../..");
  return existsSync(path.join(nodeDir, "include/node/node_api.h")) ? [`--nodedir=${nodeDir}`] : [];
}

extractHeaders();
nodeGyp(["rebuild", ...nodeDirArgs()]);
