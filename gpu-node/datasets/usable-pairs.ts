// The pairs a generator's answers hold that a trait can train on. An answer is read against the
// schema it was asked for (one that breaks it counts as malformed, and gives nothing); then each
// pair, its personas' whitespace collapsed, is kept only if both sides are non-blank and differ,
// it repeats no pair kept before, and neither persona is on the other side of a kept pair (a
// persona cannot be both the trait and its opposite). What is dropped is counted, for a failure to
// say why there were too few.
import { paramPath } from "../../shared/http/api-error.ts";
import type { PersonaPair } from "../../shared/node-api/datasets.ts";
import { answerSchema } from "./brief.ts";

type Dropped = "blank" | "same" | "repeated" | "contradicting";

export class UsablePairs {
  private readonly kept: PersonaPair[] = [];
  private readonly keys = new Set<string>();
  private readonly positives = new Set<string>();
  private readonly negatives = new Set<string>();
  private readonly dropped: Record<Dropped, number> = {
    blank: 0,
    same: 0,
    repeated: 0,
    contradicting: 0,
  };
  private malformed = 0;
  private lastMalformed = "";

  /** Keeps at most `wanted` pairs. */
  constructor(private readonly wanted: number) {}

  get size(): number {
    return this.kept.length;
  }

  pairs(): PersonaPair[] {
    return [...this.kept];
  }

  /** Reads an answer asked for `count` pairs, and keeps what it holds that is usable. */
  addAnswer(text: string, count: number): void {
    const read = readAnswer(text, count);
    if (typeof read === "string") {
      this.malformed += 1;
      this.lastMalformed = read;
      return;
    }
    for (const pair of read) this.add(pair);
  }

  /** What was dropped, said for a failure's reason ("2 malformed answers (the last: ...)"). */
  droppedSummary(): string {
    const parts = [];
    if (this.malformed > 0) {
      parts.push(`${plural(this.malformed, "malformed answer")} (the last: ${this.lastMalformed})`);
    }
    const said: Record<Dropped, string> = {
      blank: "with a blank side",
      same: "with the same persona on both sides",
      repeated: "repeating an earlier pair",
      contradicting: "with a persona on the other side of an earlier pair",
    };
    for (const [reason, count] of Object.entries(this.dropped)) {
      if (count > 0) parts.push(`${plural(count, "pair")} ${said[reason as Dropped]}`);
    }
    return parts.length > 0 ? parts.join("; ") : "nothing dropped";
  }

  private add(written: PersonaPair): void {
    if (this.kept.length >= this.wanted) return;
    const pair = { positive: tidy(written.positive), negative: tidy(written.negative) };
    const positive = pair.positive.toLowerCase();
    const negative = pair.negative.toLowerCase();
    const key = JSON.stringify([positive, negative]);
    const problem: Dropped | null =
      positive === "" || negative === ""
        ? "blank"
        : positive === negative
          ? "same"
          : this.keys.has(key)
            ? "repeated"
            : this.negatives.has(positive) || this.positives.has(negative)
              ? "contradicting"
              : null;
    if (problem) {
      this.dropped[problem] += 1;
      return;
    }
    this.kept.push(pair);
    this.keys.add(key);
    this.positives.add(positive);
    this.negatives.add(negative);
  }
}

/** The answer's pairs, or what is wrong with it. */
function readAnswer(text: string, count: number): PersonaPair[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `not JSON: ${JSON.stringify(text.slice(0, 80))}`;
  }
  const parsed = answerSchema(count).safeParse(value);
  if (parsed.success) return parsed.data.pairs;
  const issue = parsed.error.issues[0];
  return `${paramPath(issue?.path ?? []) ?? "the answer"}: ${issue?.message ?? "invalid"}`;
}

/** A persona with its runs of whitespace made one space, and none at its ends. */
function tidy(persona: string): string {
  return persona.replace(/\s+/g, " ").trim();
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
