// MMLU from a folder in the release's layout (`test/<subject>_test.csv`, `dev/<subject>_dev.csv`),
// for `steer eval`: the edge reads the same files from R2, loaded there by an operator.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  type MmluQuestion,
  type MmluSplit,
  parseMmluCsv,
  parseMmluFileName,
} from "../../shared/evaluation/mmlu.ts";

export type MmluSubjects = Map<string, MmluQuestion[]>;

/** One split's questions by subject; a folder without that split gives none. */
export async function readMmluSplit(directory: string, split: MmluSplit): Promise<MmluSubjects> {
  const folder = path.join(directory, split);
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const bySubject: MmluSubjects = new Map();
  for (const name of names.sort()) {
    const file = parseMmluFileName(name);
    if (file?.split !== split) continue;
    const csv = await readFile(path.join(folder, name), "utf8");
    bySubject.set(file.subject, parseMmluCsv(file.subject, csv));
  }
  return bySubject;
}
