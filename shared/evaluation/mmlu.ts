// MMLU as the original release ships it: one CSV per subject and split (`<subject>_test.csv`,
// `<subject>_dev.csv`), no header, each row `question,A,B,C,D,answer`. Which questions an evaluation
// asks is decided here, once, for the edge (reading R2) and the node's CLI (reading a folder) alike:
// a seeded subset spread over the subjects, the same for every evaluation of the same size, so that
// quality cards compare.
import { z } from "zod";
import { MAX_EXAMPLE_CHARS } from "../limits.ts";

export const MMLU_LETTERS = ["A", "B", "C", "D"] as const;

export const MMLU_SPLITS = ["test", "dev"] as const;

export type MmluSplit = (typeof MMLU_SPLITS)[number];

/** A subject's name as its file names it: lower case words joined by underscores. */
export const MMLU_SUBJECT = /^[a-z][a-z0-9_]{0,63}$/;

const field = z.string().max(4 * MAX_EXAMPLE_CHARS);

export const mmluQuestionSchema = z.strictObject({
  subject: z.string().regex(MMLU_SUBJECT),
  question: field,
  choices: z.tuple([field, field, field, field]),
  answer: z.enum(MMLU_LETTERS),
});

export type MmluQuestion = z.infer<typeof mmluQuestionSchema>;

/** The file name of a subject's split, as the release names it. */
export function mmluFileName(subject: string, split: MmluSplit): string {
  return `${subject}_${split}.csv`;
}

/** A subject and split from a release file name; null for any other name. */
export function parseMmluFileName(name: string): { subject: string; split: MmluSplit } | null {
  const match = /^([a-z][a-z0-9_]*)_(test|dev)\.csv$/.exec(name);
  if (!match || !MMLU_SUBJECT.test(match[1] as string)) return null;
  return { subject: match[1] as string, split: match[2] as MmluSplit };
}

/** A subject's CSV as questions; throws naming the line of the first malformed row. */
export function parseMmluCsv(subject: string, csv: string): MmluQuestion[] {
  return parseCsv(csv).map((row, i) => {
    const [question, a, b, c, d, answer] = row;
    if (row.length !== 6 || !MMLU_LETTERS.includes(answer as never)) {
      throw new Error(
        `row ${i + 1} of ${subject}: expected question,A,B,C,D,answer with answer A-D`,
      );
    }
    return {
      subject,
      question: question as string,
      choices: [a, b, c, d] as [string, string, string, string],
      answer: answer as MmluQuestion["answer"],
    };
  });
}

/** The seed of the subset: fixed, so that evaluations of one size ask the same questions. */
const MMLU_SEED = 0x5eed;

/**
 * `count` questions spread over the subjects: the subjects in a seeded order, each subject's
 * questions shuffled by the same seed, then one question from each subject in turn.
 */
export function selectMmluQuestions(
  bySubject: ReadonlyMap<string, readonly MmluQuestion[]>,
  count: number,
): MmluQuestion[] {
  const random = mulberry32(MMLU_SEED);
  const subjects = shuffle([...bySubject.keys()].sort(), random).map((subject) =>
    shuffle([...(bySubject.get(subject) ?? [])], random),
  );
  const chosen: MmluQuestion[] = [];
  for (let round = 0; chosen.length < count; round++) {
    const before = chosen.length;
    for (const questions of subjects) {
      const question = questions[round];
      if (question && chosen.length < count) chosen.push(question);
    }
    if (chosen.length === before) break; // every subject exhausted
  }
  return chosen;
}

/** What a GPU node is sent: the chosen questions, and the worked examples their shots draw on. */
export interface MmluSet {
  shots: number;
  questions: MmluQuestion[];
  /** The first `shots` dev examples of each subject the questions come from. */
  examples: MmluQuestion[];
}

/** `count` test questions (selectMmluQuestions) and their subjects' first `shots` dev examples. */
export function mmluSet(
  test: ReadonlyMap<string, readonly MmluQuestion[]>,
  dev: ReadonlyMap<string, readonly MmluQuestion[]>,
  count: number,
  shots: number,
): MmluSet {
  const questions = selectMmluQuestions(test, count);
  const subjects = [...new Set(questions.map((question) => question.subject))];
  const examples = subjects.flatMap((subject) => (dev.get(subject) ?? []).slice(0, shots));
  return { shots, questions, examples };
}

/** RFC 4180: fields separated by commas, quoted with " when they hold commas, quotes or newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let value = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (char === '"') quoted = false;
      else value += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(value);
      value = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(value);
      rows.push(row);
      row = [];
      value = "";
    } else value += char;
  }
  if (value !== "" || row.length > 0) rows.push([...row, value]);
  return rows;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
