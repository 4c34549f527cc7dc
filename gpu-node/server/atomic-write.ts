// Writing a file so that readers (and a restart after a crash) see the old contents or the new,
// never a torn mix: the bytes go to a temp file beside it, then a rename replaces it.
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data, { flag: "wx" });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
