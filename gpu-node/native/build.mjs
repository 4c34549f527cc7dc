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

/** The parts of the source the addon compiles against: llama.cpp's and ggml's public headers, and
 * the two of libllama-common's that declare its JSON schema to grammar converter. */
const HEADERS = ["include", "ggml/include", "common/json.h", "common/json-schema-to-grammar.h"];

/** Only the headers are needed: clone the bundle without a checkout, then check out those. A
 * vendor folder missing one of them (extracted by an older build) is extracted again. */
function extractHeaders() {
  if (HEADERS.every((header) => existsSync(path.join(paths.vendorDir, header)))) return;
  if (!existsSync(paths.llamaBundle)) {
    throw new Error(`llama.cpp source bundle not found at ${paths.llamaBundle}: run npm install`);
  }
  const tmp = mkdtempSync(path.join(tmpdir(), "steer-llama-"));
  try {
    run("git", ["clone", "--quiet", "--no-checkout", paths.llamaBundle, tmp]);
    run(
      "git",
      ["-c", "advice.detachedHead=false", "checkout", "--quiet", "HEAD", "--", ...HEADERS],
      tmp,
    );
    rmSync(paths.vendorDir, { recursive: true, force: true });
    run("mkdir", ["-p", paths.vendorDir]);
    const topFolders = [...new Set(HEADERS.map((header) => header.split("/")[0]))];
    run("cp", ["-r", ...topFolders.map((folder) => path.join(tmp, folder)), paths.vendorDir]);
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
