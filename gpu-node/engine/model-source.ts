// Where a model comes from: a local GGUF path (used as is) or a Hugging Face URI (`hf:USER/REPO:QUANT`,
// `hf:USER/REPO/FILE.gguf`), resolved and downloaded by node-llama-cpp's own resolver into a cache
// directory. A file already in the cache is used without touching the network.
import { resolveModelFile } from "node-llama-cpp";
import { EngineError } from "./errors.ts";

export const DEFAULT_MODEL_CACHE = ".cache/models/hf";

export interface ModelSourceOptions {
  /** Where hf: models are looked for and downloaded to (default .cache/models/hf). */
  cacheDir?: string;
  /** Where download progress goes (default: stderr); null for none. */
  progress?: NodeJS.WritableStream | null;
}

export function isModelUri(spec: string): boolean {
  return /^(hf|huggingface):/i.test(spec);
}

/** The id a model is served under: the URI without its scheme, or the file name without .gguf. */
export function modelIdOf(spec: string): string {
  if (isModelUri(spec)) return spec.replace(/^(hf|huggingface):(\/\/)?/i, "");
  return (spec.split(/[\\/]/).pop() ?? spec).replace(/\.gguf$/i, "");
}

/** The local path of the model `spec` names, downloading it first when it is an uncached URI. */
export async function resolveModelSource(
  spec: string,
  options: ModelSourceOptions = {},
): Promise<string> {
  if (!isModelUri(spec)) return spec;
  const cacheDir = options.cacheDir ?? DEFAULT_MODEL_CACHE;
  const out = options.progress === undefined ? process.stderr : options.progress;
  const cannotFetch = (why: string) =>
    new EngineError(
      "model_not_found",
      // How to choose another model is the caller's to say: a flag, or npm start's STEER_MODEL.
      `cannot fetch the model ${JSON.stringify(spec)} into ${cacheDir}: ${why}. Check the URI, ` +
        "the network and, for a gated repository, HF_TOKEN.",
    );
  try {
    // Already in the cache: no network at all.
    return await resolveModelFile(spec, { directory: cacheDir, download: false, cli: false });
  } catch {}
  // The downloader retries an unreachable host for many minutes: find out at once instead.
  const endpoint = huggingFaceEndpoint();
  try {
    await fetch(endpoint, { method: "HEAD", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } catch (error) {
    throw cannotFetch(`${endpoint} cannot be reached (${(error as Error).message})`);
  }
  const bar = out ? progressBar(out, spec) : undefined;
  try {
    return await resolveModelFile(spec, {
      directory: cacheDir,
      download: "auto",
      cli: false,
      onProgress: bar?.update,
    });
  } catch (error) {
    throw cannotFetch((error as Error).message);
  } finally {
    bar?.done();
  }
}

const PROBE_TIMEOUT_MS = 15_000;

/** Where hf: URIs are fetched from, as node-llama-cpp decides it. */
function huggingFaceEndpoint(): string {
  const url = process.env.MODEL_ENDPOINT || process.env.HF_ENDPOINT || "https://huggingface.co/";
  return url.endsWith("/") ? url : `${url}/`;
}

/** A one-line progress bar, redrawn in place on a terminal and every 10% otherwise. */
function progressBar(out: NodeJS.WritableStream, label: string) {
  const tty = "isTTY" in out && out.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
  return {
    update({ totalSize, downloadedSize }: { totalSize: number; downloadedSize: number }) {
      const fraction = totalSize > 0 ? Math.min(1, downloadedSize / totalSize) : 0;
      const decile = Math.floor(fraction * 10);
      if (!tty && decile === lastDecile) return;
      lastDecile = decile;
      const width = 30;
      const filled = Math.round(fraction * width);
      const line =
        `downloading ${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
        `${(fraction * 100).toFixed(1)}% ${gib(downloadedSize)}/${gib(totalSize)} GiB`;
      out.write(tty ? `\r${line}` : `${line}\n`);
      drawn = true;
    },
    done() {
      if (tty && drawn) out.write("\n");
    },
  };
}
