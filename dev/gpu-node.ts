// The local stack's GPU node: `steer serve` on the model STEER_MODEL names, restarted when it dies
// (as a node in production may), so the edge's recovery can be watched and tested.
import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EngineError } from "../gpu-node/engine/errors.ts";
import { isModelUri, resolveModelSource } from "../gpu-node/engine/model-source.ts";
import { ensureTestModel } from "../gpu-node/test-model/index.ts";
import { type Child, startChild, waitUntilUp } from "./processes.ts";

export const DEFAULT_MODEL = "hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M";

const STEER_BIN = fileURLToPath(new URL("../bin/steer.js", import.meta.url));
/** Loading an 8B model from disk takes a while on a slow one. */
const LOAD_TIMEOUT_MS = 10 * 60_000;

const CHOOSE =
  "\nChoose another model with STEER_MODEL: STEER_MODEL=test npm start runs the generated test " +
  "model (no network needed); STEER_MODEL=/path/to/model.gguf or STEER_MODEL=hf:USER/REPO:QUANT.";

/** The model could not be had: the message says why and how to choose another. */
export class ModelUnavailable extends Error {}

/**
 * What `steer serve --model` gets for STEER_MODEL: "test" is the generated test model; a path or
 * an hf: URI is fetched here first (with a progress bar, into the cache `steer serve` reads), so a
 * model that cannot be fetched stops the stack before anything else starts.
 */
export async function resolveModel(spec: string): Promise<string> {
  if (spec === "test") return ensureTestModel();
  if (!isModelUri(spec)) {
    if (await isFile(spec)) return path.resolve(spec);
    throw new ModelUnavailable(`the model file ${JSON.stringify(spec)} does not exist.${CHOOSE}`);
  }
  try {
    await resolveModelSource(spec);
    return spec;
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    throw new ModelUnavailable(`${error.message}${CHOOSE}`);
  }
}

export interface NodeOptions {
  model: string;
  port: number;
  token: string;
  vectorsDir: string;
}

/** A supervised node: restarted (on the same port) whenever it exits until `stop`. */
export class SupervisedNode {
  private child: Child | null = null;
  private stopping = false;

  constructor(private readonly options: NodeOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** The running process's id: what to kill to see a node vanish. */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  async start(): Promise<void> {
    const child = startChild(process.execPath, this.serveArgs(), {
      env: { STEER_NODE_TOKEN: this.options.token },
      label: "gpu-node",
    });
    this.child = child;
    await waitUntilUp(`${this.url}/healthz`, child, { timeoutMs: LOAD_TIMEOUT_MS });
    void child.exited.then((status) => this.restartAfter(status));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // steer serve lets open requests finish for up to 30 s; a dev stack has no such patience.
    await this.child?.stop(3000);
  }

  private async restartAfter(status: number | string | null): Promise<void> {
    if (this.stopping) return;
    process.stderr.write(`[dev] the GPU node ${this.url} exited (${status}); restarting it\n`);
    await this.start().then(
      () => process.stderr.write(`[dev] the GPU node ${this.url} is back (pid ${this.pid})\n`),
      (error: Error) => {
        process.stderr.write(
          `[dev] the GPU node ${this.url} did not come back: ${error.message}\n`,
        );
      },
    );
  }

  private serveArgs(): string[] {
    const { model, port, vectorsDir } = this.options;
    return [
      STEER_BIN,
      "serve",
      "--model",
      model,
      "--port",
      String(port),
      "--vectors-dir",
      vectorsDir,
    ];
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
