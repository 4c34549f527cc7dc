// MMLU loaded into an edge through the operator's route (PUT /v1/mmlu/{file}): every release file
// of a folder in the release's layout (<dir>/test/<subject>_test.csv, <dir>/dev/<subject>_dev.csv),
// one request each, sent as it is (the edge checks every row). Against a deployed edge as against
// `npm start`'s: all it needs is the edge's URL and the operator token.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { MMLU_SPLITS, parseMmluFileName } from "../shared/evaluation/mmlu.ts";

export interface MmluTarget {
  /** The edge's origin, http://127.0.0.1:8787 say. */
  url: string;
  /** Its OPERATOR_TOKEN. */
  token: string;
}

/** Uploads the folder's release files; answers how many files and questions were loaded. */
export async function loadMmlu(
  dir: string,
  target: MmluTarget,
): Promise<{ files: number; questions: number }> {
  const files = await releaseFiles(dir);
  if (files.length === 0) {
    throw new Error(`${dir} holds no MMLU release files (test/*_test.csv, dev/*_dev.csv)`);
  }
  let questions = 0;
  for (const file of files) questions += await upload(file, target);
  return { files: files.length, questions };
}

/** The release files of each split's folder, by name; a split's folder may be missing. */
async function releaseFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const split of MMLU_SPLITS) {
    const folder = path.join(dir, split);
    const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    for (const name of names.sort()) {
      if (parseMmluFileName(name)?.split === split) files.push(path.join(folder, name));
    }
  }
  return files;
}

/** One file's PUT; answers its questions, or throws with what the edge said. */
async function upload(file: string, { url, token }: MmluTarget): Promise<number> {
  const name = path.basename(file);
  const response = await fetch(`${url.replace(/\/+$/, "")}/v1/mmlu/${name}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: await readFile(file),
  });
  const answer = (await response.json().catch(() => null)) as {
    questions?: number;
    error?: { message: string };
  } | null;
  if (!response.ok || answer?.questions === undefined) {
    throw new Error(`${name}: ${response.status} ${answer?.error?.message ?? "no answer"}`);
  }
  return answer.questions;
}
