/**
 * Node-only file helpers around the platform-neutral codec.
 */
import { open, readFile, rename, rm } from "node:fs/promises";
import { type GgufFile, parseGguf } from "./reader.ts";
import { type GgufDocument, ggufChunks } from "./writer.ts";

export async function readGgufFile(path: string): Promise<GgufFile> {
  return parseGguf(await readFile(path));
}

/**
 * Streams the document to `path` chunk by chunk. It is written to a temporary sibling first and
 * renamed into place, so a reader never sees a half-written file.
 */
export async function writeGgufFile(path: string, document: GgufDocument): Promise<void> {
  const temporaryPath = `${path}.${process.pid}.${Date.now()}.tmp`;
  const file = await open(temporaryPath, "w");
  try {
    for (const chunk of ggufChunks(document)) await file.write(chunk);
    await file.close();
    await rename(temporaryPath, path);
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
