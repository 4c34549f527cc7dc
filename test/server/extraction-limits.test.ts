// Extraction requests against a real `steer serve` process: datasets that once held its event loop
// for half a minute and then ran it out of memory are refused at once, naming the field, while it
// keeps serving; and POST /v1/extractions/validate checks a request exactly as submitting it does,
// queueing nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/concept.ts";
import { MAX_EXTRACTION_PAIRS, MAX_EXTRACTION_TOKENS } from "../../shared/limits.ts";
import type { ExtractionJob, ExtractionPlan } from "../../shared/node-api/extractions.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

let vectorsDir: string;
let server: ServerProcess;

beforeAll(async () => {
  vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-vectors-"));
  server = await startServer({ vectorsDir });
});

afterAll(async () => {
  await server?.stop();
  await rm(vectorsDir, { recursive: true, force: true });
});

function post(pathname: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Milliseconds until `request` is answered. */
async function timed<T>(request: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await request();
  return { answer, ms: performance.now() - started };
}

/** persona pairs of the test model's planted trait, `count` of them (repeated as needed). */
function personas(count: number) {
  const pick = (words: readonly string[]) => Array.from({ length: count }, (_, i) => words[i % 4]);
  return { positive: pick(CONCEPT_WORDS.positive), negative: pick(CONCEPT_WORDS.negative) };
}

const SMALL = { personas: { ...personas(2), openers: ["I think", "Today we"] } };

/** Jobs the node holds, whatever their status. */
async function jobCount(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const counts = [...metrics.matchAll(/^steer_extraction_jobs\{status="\w+"\} (\d+)$/gm)];
  return counts.reduce((sum, [, count]) => sum + Number(count), 0);
}

async function runToEnd(body: unknown): Promise<ExtractionJob> {
  const submitted = await post("/v1/extractions", body);
  expect(submitted.status).toBe(202);
  let job = (await submitted.json()) as ExtractionJob;
  for (const started = Date.now(); ["queued", "running"].includes(job.status); ) {
    expect(Date.now() - started).toBeLessThan(20_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = (await (await fetch(`${server.url}/v1/extractions/${job.id}`)).json()) as ExtractionJob;
  }
  return job;
}

describe("datasets past the limits", () => {
  // 512 distinct openers of 2000 characters (a body just under 1 MiB): about 600 token prefixes
  // each, every one a pair with the persona pair.
  const word = (i: number, j: number) => `w${i}x${j}`;
  const distinct = Array.from({ length: 512 }, (_, i) =>
    Array.from({ length: 400 }, (_, j) => word(i, j))
      .join(" ")
      .slice(0, 2000),
  );
  // One opener of about 1000 tokens: 1000 prefixes, of 500,000 tokens in all; x 19 persona pairs,
  // 19,000 pairs (within the limit) on both sides of which they come.
  const repeated = "a ".repeat(1000);
  const longPersona = "word ".repeat(380);
  const cases: [string, unknown, string, string][] = [
    [
      "512 distinct long openers",
      { personas: { ...personas(1), openers: distinct } },
      "personas.openers",
      `the limit is ${MAX_EXTRACTION_TOKENS}`,
    ],
    [
      "a long opener's prefixes x 256 persona pairs",
      { personas: { ...personas(256), openers: [repeated] } },
      "personas.openers",
      `more than the limit of ${MAX_EXTRACTION_PAIRS} pairs`,
    ],
    [
      "a long opener's prefixes, within the pairs but not the tokens",
      { personas: { ...personas(19), openers: [repeated] } },
      "personas.openers",
      `the limit is ${MAX_EXTRACTION_TOKENS}`,
    ],
    [
      "long personas x 25 openers",
      {
        personas: {
          positive: Array(256).fill(longPersona),
          negative: Array(256).fill(`${longPersona}sad`),
          openers: [..."ABCDEFGHIJKLMNOPQRSTUVWXY"],
        },
      },
      "personas",
      `the limit is ${MAX_EXTRACTION_TOKENS}`,
    ],
  ];

  it.each(cases)("are refused at once, naming the field: %s", async (_, body, param, limit) => {
    const refusal = timed(() => post("/v1/extractions", body));
    const health = timed(() => fetch(`${server.url}/healthz`));
    const { answer, ms } = await refusal;
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as ApiErrorBody;
    expect(error).toMatchObject({ param, code: "invalid_request" });
    expect(error.message).toContain(limit);
    expect(ms).toBeLessThan(1000);
    // The node answered others meanwhile.
    expect((await health).answer.status).toBe(200);
    expect((await health).ms).toBeLessThan(500);
  });

  it("leave the node serving: a small job still runs to its vector", async () => {
    const job = await runToEnd(SMALL);
    expect(job.status).toBe("succeeded");
    expect(job.vector_id).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("POST /v1/extractions/validate", () => {
  it("says what a job would capture, and queues nothing", async () => {
    const before = await jobCount();
    const response = await post("/v1/extractions/validate", SMALL);
    expect(response.status).toBe(200);
    const plan = (await response.json()) as ExtractionPlan;
    expect(await jobCount()).toBe(before);
    // "I", "I think", "Today", "Today we": 4 prefixes x 2 persona pairs; by default the layers
    // are chosen by measurement among the test model's candidates (all but layer 0 and the last).
    expect(plan).toEqual({
      object: "extraction_plan",
      method: "pca",
      pairs: 8,
      tokens: expect.any(Number),
      layers: [1, 2],
      layers_by: "measurement",
    });
    // Each text is a prompt of some tokens, then a prefix.
    expect(plan.tokens).toBeGreaterThan(2 * 2 * plan.pairs);
    expect((await runToEnd(SMALL)).progress.total).toBe(plan.pairs);
    const band = await post("/v1/extractions/validate", { ...SMALL, layers: "band" });
    expect(await band.json()).toMatchObject({ layers: [2, 3], layers_by: "band" });
    const named = await post("/v1/extractions/validate", { ...SMALL, layers: [3, 1, 3] });
    expect(await named.json()).toMatchObject({ layers: [1, 3], layers_by: "request" });
  });

  it("refuses what submitting refuses, with the same error", async () => {
    const bodies = [
      { personas: { ...SMALL.personas, negative: ["sad"] } },
      { ...SMALL, layers: [999] },
      { personas: { ...SMALL.personas, openers: ["a.".repeat(600)] } },
      { personas: { ...personas(256), openers: ["a ".repeat(1000)] } },
    ];
    for (const body of bodies) {
      const validated = await post("/v1/extractions/validate", body);
      const submitted = await post("/v1/extractions", body);
      expect(validated.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(submitted.status).toBe(400);
      expect(await validated.json()).toEqual(await submitted.json());
    }
  });
});
