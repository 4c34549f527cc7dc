// The node's presets: names for stored vectors, kept in `<vectors dir>/presets.json` and read back
// on start, so that they survive a restart. Changes run one at a time, each rewriting the file
// atomically before it takes effect: a change the disk refused is not served either.
import { readFile, rename } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { type PresetObject, presetObjectSchema } from "../../shared/api/presets.ts";
import { VECTOR_ID } from "../../shared/api/vectors.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import type { VectorStore } from "./vector-store.ts";

const fileSchema = z.object({ presets: z.array(presetObjectSchema) });

export class PresetStore {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly vectors: VectorStore,
    private readonly file: string,
    private presets: Map<string, PresetObject>,
  ) {}

  /**
   * Reads the presets beside the store's vectors. One whose vector is missing (removed by hand,
   * or not fitting this model) is kept: steering through it answers 404 until it is repointed.
   */
  static async open(vectors: VectorStore): Promise<PresetStore> {
    const file = path.join(vectors.directory, "presets.json");
    return new PresetStore(vectors, file, await load(file));
  }

  list(): PresetObject[] {
    return [...this.presets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string, param = "name"): PresetObject {
    const preset = this.presets.get(name);
    if (!preset) {
      throw new ApiError(404, `no preset ${JSON.stringify(name)}`, "preset_not_found", param);
    }
    return preset;
  }

  /** The vector id a `steering` reference names: a 64-hex id itself, anything else a preset's. */
  resolve(ref: string, param: string): string {
    return VECTOR_ID.test(ref) ? ref : this.get(ref, param).vector_id;
  }

  /** Points `name` at a stored vector; `created` is false when it replaced a preset. */
  put(
    name: string,
    vectorId: string,
    description: string | null = null,
  ): Promise<{ preset: PresetObject; created: boolean }> {
    return this.serialized(async () => {
      // Throws the 404 for a vector the node does not hold.
      this.vectors.vector(vectorId, "vector_id");
      const created = !this.presets.has(name);
      const preset: PresetObject = {
        object: "preset",
        name,
        vector_id: vectorId,
        description,
        created: Math.floor(Date.now() / 1000),
      };
      await this.commit(new Map(this.presets).set(name, preset));
      return { preset, created };
    });
  }

  /** Forgets the name; the vector stays. */
  delete(name: string): Promise<void> {
    return this.serialized(async () => {
      this.get(name);
      const next = new Map(this.presets);
      next.delete(name);
      await this.commit(next);
    });
  }

  /**
   * Deletes a stored vector unless a preset names it. It waits its turn with the preset changes,
   * so a preset being pointed at the vector meanwhile is either seen here or finds it gone.
   */
  deleteVector(id: string): Promise<void> {
    return this.serialized(async () => {
      const users = this.list()
        .filter((preset) => preset.vector_id === id)
        .map((preset) => preset.name);
      if (users.length > 0) {
        throw new ApiError(
          409,
          `vector ${id} is in use by preset${users.length > 1 ? "s" : ""} ${users.join(", ")}; ` +
            "delete or repoint them first",
          "vector_in_use",
          "id",
        );
      }
      await this.vectors.delete(id);
    });
  }

  private async commit(next: Map<string, PresetObject>): Promise<void> {
    const presets = [...next.values()];
    await writeFileAtomic(this.file, `${JSON.stringify({ presets }, null, 2)}\n`);
    this.presets = next;
  }

  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const run = this.tail.then(change);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * The presets in `file`, none when there is no file yet. A file that does not parse is moved aside
 * rather than failing the start: vectors still serve by id, and the next change must not overwrite
 * what an operator may want to recover. A file that cannot be read (permissions, I/O) stops the
 * start: its presets may well be sound, and serving without them would change answers silently.
 */
async function load(file: string): Promise<Map<string, PresetObject>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  try {
    const { presets } = fileSchema.parse(JSON.parse(text));
    return new Map(presets.map((preset) => [preset.name, preset]));
  } catch {
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside);
    console.error(`steer: ${file} is not a presets file; moved to ${aside}, starting with none`);
    return new Map();
  }
}
