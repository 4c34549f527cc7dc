// A bad-input run against one group of routes: its cases sent one after another (each answered
// within seconds, or it hangs), what was wrong with their answers collected (refusal.ts says what
// an answer must be), and at the end at least a hundred cases, each answered as it must be. The
// edge's suite sends to the Worker in workerd, the node's to the real `steer serve` process.
import { expect } from "vitest";
import { MAX_JSON_BODY_BYTES } from "../../shared/limits.ts";
import {
  type BadInput,
  type BodySchema,
  bodyCases,
  fieldCases,
  idCases,
  queryCases,
} from "./bad-input.ts";
import { refusalProblem } from "./refusal.ts";

/** Long enough for any refusal: a case that takes longer hangs. */
const ANSWER_MS = 15_000;

/** A group's cases run one after another, in one test. */
export const GROUP_TIMEOUT_MS = 300_000;

export interface Sent {
  method?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string | null;
  /** The whole Authorization header (null: none); by default the probe's token as a bearer. */
  authorization?: string | null;
}

/** Sends exactly what is given to `path` of the server under test. */
export type Send = (path: string, init: RequestInit) => Promise<Response>;

type Expectation = Pick<BadInput, "name" | "field" | "expect">;

export interface ProbeOptions {
  /** What to do with what a case that was not refused made (delete it, say), as `token`. */
  onAccepted?: (answer: Response, token: string) => Promise<void>;
  /**
   * A token of a new caller, taken every TOKEN_REQUESTS cases: a group sends more requests than
   * one caller may in a minute. Only for cases that name nothing of the first caller's.
   */
  renewToken?: () => Promise<string>;
}

/** Cases sent as one caller before renewToken gives another (an account's limit is 600/minute). */
const TOKEN_REQUESTS = 250;

export class Probe {
  sent = 0;
  readonly problems: string[] = [];

  constructor(
    private readonly send: Send,
    private token: string,
    private readonly options: ProbeOptions = {},
  ) {}

  async check(path: string, sent: Sent, expectation: Expectation): Promise<void> {
    const { onAccepted, renewToken } = this.options;
    if (renewToken && this.sent > 0 && this.sent % TOKEN_REQUESTS === 0) {
      this.token = await renewToken();
    }
    const response = await withTimeout(this.send(path, this.init(sent)), path);
    this.sent++;
    if (response.ok && onAccepted) await onAccepted(response.clone(), this.token);
    const problem = await refusalProblem(response, expectation);
    if (problem) this.problems.push(`${sent.method ?? "POST"} ${path.slice(0, 120)}: ${problem}`);
  }

  /** Every field case and body case of a JSON route. */
  async bodies(path: string, valid: Record<string, unknown>, schema: BodySchema): Promise<void> {
    for (const badCase of [
      ...fieldCases(valid, schema),
      ...bodyCases(valid, MAX_JSON_BODY_BYTES),
    ]) {
      await this.check(path, { body: badCase.body, contentType: badCase.contentType }, badCase);
    }
  }

  /** The field cases of the fields under `under` alone (a part of a body others test whole). */
  async fields(
    path: string,
    valid: Record<string, unknown>,
    schema: BodySchema,
    under: string,
  ): Promise<void> {
    for (const badCase of fieldCases(valid, schema)) {
      if (!badCase.field.startsWith(under)) continue;
      await this.check(path, { body: badCase.body, contentType: badCase.contentType }, badCase);
    }
  }

  /** `method` on `route(id)` for every odd id: a 4xx naming the path parameter `field`. */
  async ids(route: (id: string) => string, method = "GET", field = "id"): Promise<void> {
    for (const id of idCases()) {
      await this.check(route(id), { method }, { name: `${field} ${id}`, field, expect: "refused" });
    }
  }

  /** Each query parameter odd in turn: an odd value may be a valid one; a refusal names it. */
  async queries(path: string, valid: Record<string, string>, sent: Sent = { method: "GET" }) {
    for (const { name, field, query } of queryCases(valid)) {
      await this.check(`${path}?${query}`, sent, { name, field, expect: "either" });
    }
  }

  /** At least a hundred cases, each answered as it must be. */
  expectAllAnswered(): void {
    expect(this.problems.length, this.problems.join("\n")).toBe(0);
    expect(this.sent).toBeGreaterThanOrEqual(100);
  }

  /** No Content-Type unless one is named; bytes, as a string body would be given text/plain. */
  private init(sent: Sent): RequestInit {
    const headers = new Headers();
    const authorization =
      sent.authorization === undefined ? `Bearer ${this.token}` : sent.authorization;
    if (authorization !== null) headers.set("authorization", authorization);
    if (sent.contentType) headers.set("content-type", sent.contentType);
    const body = typeof sent.body === "string" ? new TextEncoder().encode(sent.body) : sent.body;
    return { method: sent.method ?? (body ? "POST" : "GET"), headers, body };
  }
}

async function withTimeout(answer: Promise<Response>, what: string): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ANSWER_MS} ms`)), ANSWER_MS);
  });
  try {
    return await Promise.race([answer, hang]);
  } finally {
    clearTimeout(timer);
  }
}
