// MMLU in R2, as the operator loads it (PUT /v1/mmlu/{file}, dev/load-mmlu.ts): one object per
// subject and split, mmlu/<split>/<subject>.csv, the release's CSV as it came once every row has
// been checked, its question count in its metadata so that listing what is loaded reads no file.
// An evaluation asks a subset of the test split, each question after its subject's first dev
// questions as worked examples. Nothing is fetched from elsewhere at run time: a deployment with
// none loaded evaluates without MMLU, and its results say why.

import {
  MMLU_SPLITS,
  type MmluQuestion,
  type MmluSplit,
  mmluQuestionSchema,
  parseMmluCsv,
  selectMmluQuestions,
} from "../../../shared/evaluation/mmlu.ts";
import { DEFAULT_MMLU_QUESTIONS } from "../../../shared/evaluation/settings.ts";
import { ApiError, paramPath } from "../../../shared/http/api-error.ts";
import type { NodeEvaluationRequest } from "../../../shared/node-api/evaluations.ts";

const PREFIX = "mmlu/";

/** What an evaluation's result says when the deployment has no MMLU to ask. */
export const NO_MMLU_NOTE =
  "no MMLU data is loaded on this deployment: an operator loads it (README, MMLU)";

function mmluKey(split: MmluSplit, subject: string): string {
  return `${PREFIX}${split}/${subject}.csv`;
}

/**
 * Checks a release file, every row of it, and stores it; a malformed file is a 400 naming the row
 * at fault. Answers its number of questions.
 */
export async function storeMmluFile(
  bucket: R2Bucket,
  split: MmluSplit,
  subject: string,
  csv: string,
): Promise<number> {
  const questions = checkedQuestions(subject, csv);
  await bucket.put(mmluKey(split, subject), csv, {
    httpMetadata: { contentType: "text/csv; charset=utf-8" },
    customMetadata: { questions: String(questions.length) },
  });
  return questions.length;
}

function checkedQuestions(subject: string, csv: string): MmluQuestion[] {
  const refuse = (why: string) => new ApiError(400, `body: ${why}`, "invalid_mmlu_file", "body");
  let questions: MmluQuestion[];
  try {
    questions = parseMmluCsv(subject, csv);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  if (questions.length === 0) throw refuse(`${subject} holds no questions`);
  // What a GPU node would refuse of a question (a field past its length) is refused here, once.
  questions.forEach((question, i) => {
    const issue = mmluQuestionSchema.safeParse(question).error?.issues[0];
    if (issue)
      throw refuse(`row ${i + 1} of ${subject}: ${paramPath(issue.path)}: ${issue.message}`);
  });
  return questions;
}

/** Subject -> its questions per split, as loaded (a split not loaded counts 0). */
export async function loadedMmlu(
  bucket: R2Bucket,
): Promise<Map<string, Record<MmluSplit, number>>> {
  const loaded = new Map<string, Record<MmluSplit, number>>();
  for (const split of MMLU_SPLITS) {
    for (const object of await listSplit(bucket, split)) {
      const subject = subjectOf(split, object.key);
      const counts = loaded.get(subject) ?? { test: 0, dev: 0 };
      counts[split] = Number(object.customMetadata?.questions ?? 0);
      loaded.set(subject, counts);
    }
  }
  return new Map([...loaded].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The MMLU part of an evaluation's node request: `questions` (by default DEFAULT_MMLU_QUESTIONS)
 * chosen from the test split, each subject's first `shots` dev questions as examples. None when
 * none are asked, or none are loaded: then the note says why, for the result.
 */
export async function mmluForEvaluation(
  bucket: R2Bucket,
  asked: { questions?: number; shots?: number } = {},
): Promise<{ mmlu?: NodeEvaluationRequest["mmlu"]; note: string | null }> {
  const count = asked.questions ?? DEFAULT_MMLU_QUESTIONS;
  // The summary's own note says that none were asked.
  if (count === 0) return { note: null };
  const test = await readSplit(bucket, "test");
  if (test.size === 0) return { note: NO_MMLU_NOTE };
  const questions = selectMmluQuestions(test, count);
  // No shots unless asked: the schema's default (mmluSettingsSchema).
  const shots = asked.shots ?? 0;
  const subjects = [...new Set(questions.map((question) => question.subject))];
  const dev = shots > 0 ? await readSplit(bucket, "dev", subjects) : new Map();
  const examples = subjects.flatMap((subject) => (dev.get(subject) ?? []).slice(0, shots));
  return { mmlu: { shots, questions, examples }, note: null };
}

/** The split's questions by subject: of `subjects`, or of every subject loaded. */
async function readSplit(
  bucket: R2Bucket,
  split: MmluSplit,
  subjects?: readonly string[],
): Promise<Map<string, MmluQuestion[]>> {
  const names =
    subjects ?? (await listSplit(bucket, split)).map((object) => subjectOf(split, object.key));
  const read = await Promise.all(
    names.map(async (subject) => {
      const object = await bucket.get(mmluKey(split, subject));
      return [subject, object ? parseMmluCsv(subject, await object.text()) : []] as const;
    }),
  );
  return new Map(read.filter(([, questions]) => questions.length > 0));
}

/** R2's list options as the runtime takes them (since compatibility date 2022-08-04); the types
 * of @cloudflare/workers-types' default entry point predate `include`. */
type ListOptions = R2ListOptions & { include?: ("httpMetadata" | "customMetadata")[] };

async function listSplit(bucket: R2Bucket, split: MmluSplit): Promise<R2Object[]> {
  const objects: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const options: ListOptions = {
      prefix: `${PREFIX}${split}/`,
      cursor,
      include: ["customMetadata"],
    };
    const page = await bucket.list(options);
    objects.push(...page.objects);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

function subjectOf(split: MmluSplit, key: string): string {
  return key.slice(`${PREFIX}${split}/`.length, -".csv".length);
}
