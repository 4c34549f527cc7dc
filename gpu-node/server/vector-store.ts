// The node's control vectors on local disk: one `<sha256>.gguf` file each, written atomically
// (a temp file, then a rename), read back on start so that uploads survive a restart. A vector is
// stored only if it can steer the model (shared/control-vector.ts's rule).
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import {
  type ControlVector,
  ControlVectorFormatError,
  type ModelShape,
  parseControlVector,
  vectorProblem,
} from "../../shared/control-vector.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import { vectorFilter } from "../../shared/node-api/load.ts";
import { VECTOR_ID, type VectorObject } from "../../shared/node-api/vectors.ts";
import { writeFileAtomic } from "./atomic-write.ts";

interface Entry {
  info: VectorObject;
  vector: ControlVector;
}

export class VectorStore {
  private constructor(
    readonly directory: string,
    private readonly shape: ModelShape,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** Opens (creating it if need be) the directory; files that do not fit the model are skipped. */
  static async open(directory: string, shape: ModelShape): Promise<VectorStore> {
    await mkdir(directory, { recursive: true });
    const store = new VectorStore(directory, shape, new Map());
    for (const name of await readdir(directory)) {
      const id = name.replace(/\.gguf$/, "");
      if (!name.endsWith(".gguf") || !VECTOR_ID.test(id)) continue;
      try {
        const bytes = new Uint8Array(await readFile(path.join(directory, name)));
        if (sha256(bytes) === id) store.entries.set(id, store.check(id, bytes));
      } catch {
        // An unreadable or foreign file: not served, left for an operator to look at.
      }
    }
    return store;
  }

  /** The Bloom filter of the ids held (shared/node-api/load.ts), kept until they change. */
  private filter: string | null = null;

  get held(): { count: number; filter: string } {
    this.filter ??= vectorFilter(this.entries.keys());
    return { count: this.entries.size, filter: this.filter };
  }

  list(): VectorObject[] {
    return [...this.entries.values()].map((entry) => entry.info);
  }

  /** Validates and stores a control-vector GGUF; storing the same bytes twice is one vector. */
  async put(bytes: Uint8Array): Promise<VectorObject> {
    const id = sha256(bytes);
    const existing = this.entries.get(id);
    if (existing) return existing.info;
    const entry = this.check(id, bytes);
    await writeFileAtomic(this.file(id), bytes);
    this.entries.set(id, entry);
    this.filter = null;
    return entry.info;
  }

  vector(id: string, param: string): ControlVector {
    return this.entry(id, param).vector;
  }

  async bytes(id: string): Promise<Uint8Array> {
    this.entry(id, "id");
    return new Uint8Array(await readFile(this.file(id)));
  }

  async delete(id: string): Promise<void> {
    this.entry(id, "id");
    this.entries.delete(id);
    this.filter = null;
    await rm(this.file(id), { force: true });
  }

  private entry(id: string, param: string): Entry {
    const entry = VECTOR_ID.test(id) ? this.entries.get(id) : undefined;
    if (!entry)
      throw new ApiError(404, `no vector ${JSON.stringify(id)}`, "vector_not_found", param);
    return entry;
  }

  private file(id: string): string {
    return path.join(this.directory, `${id}.gguf`);
  }

  /** Parses the file and checks it against the model's layers and width. */
  private check(id: string, bytes: Uint8Array): Entry {
    let vector: ControlVector;
    try {
      vector = parseControlVector(bytes);
    } catch (error) {
      if (!(error instanceof ControlVectorFormatError)) throw error;
      throw new ApiError(400, error.message, "invalid_control_vector", "body");
    }
    const problem = vectorProblem(vector, this.shape);
    if (problem) throw new ApiError(400, problem.message, problem.code, "body");
    const layers = [...vector.directions.keys()].sort((a, b) => a - b);
    const width = this.shape.embeddingSize;
    return { vector, info: { id, object: "vector", layers, width, bytes: bytes.length } };
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
