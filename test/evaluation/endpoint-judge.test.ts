// The operator's judge: an OpenAI-compatible chat endpoint, here a local server speaking OpenAI's
// wire format the way providers do (with top logprobs, or with the reply alone), as `steer eval`
// and the node's evaluations call it.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EndpointJudge } from "../../gpu-node/evaluation/endpoint-judge.ts";
import { encodeControlVector } from "../../shared/control-vector.ts";
import type { EvaluationResult } from "../../shared/evaluation/result.ts";
import {
  chatCompletion as chat,
  type FakeChatEndpoint,
  startChatEndpoint,
} from "../support/chat-endpoint.ts";
import { repoRoot, testModelPath } from "../support/engine.ts";
import { readPlanted } from "../support/planted.ts";

let endpoint: FakeChatEndpoint;
let url: string;

/** Has the endpoint answer by the answer text it is asked to judge. */
function reply(byAnswer: (answer: string) => { status?: number; body: unknown }) {
  endpoint.reply = ({ body }) =>
    byAnswer(/\nAnswer: ([^\n]*)/.exec(body.messages[0]?.content ?? "")?.[1] ?? "");
}

beforeAll(async () => {
  endpoint = await startChatEndpoint();
  url = endpoint.url;
});
afterAll(() => endpoint.close());

const answers = [
  { prompt: "Describe your day.", answer: "sunny" },
  { prompt: "Describe your day.", answer: "bleak" },
];

describe("an endpoint judge", () => {
  it("scores from the top logprobs of its first token when it returns them", async () => {
    endpoint.requests.length = 0;
    reply((answer) =>
      answer === "sunny"
        ? {
            body: chat("8", [
              ["8", 0.5],
              [" 9", 0.25],
              ["ok", 0.2],
              ["10", 0.05],
            ]),
          }
        : { body: chat("2", [["2", 1]]) },
    );
    const judge = new EndpointJudge({ url: `${url}/`, model: "judge-1", apiKey: "judge-key" });
    const { scores, usage } = await judge.score({ kind: "trait", descriptor: "cheerful" }, answers);
    // (8 * 0.5 + 9 * 0.25 + 10 * 0.05) / 0.8, the non-score token left out.
    expect(scores[0]).toBeCloseTo(8.4375, 10);
    expect(scores[1]).toBeCloseTo(2, 10);
    expect(usage).toEqual({ promptTokens: 100, completionTokens: 2 });
    expect(endpoint.requests[0]?.authorization).toBe("Bearer judge-key");
    expect(endpoint.requests[0]?.body).toMatchObject({
      model: "judge-1",
      logprobs: true,
      top_logprobs: 20,
      temperature: 0,
    });
    expect(JSON.stringify(endpoint.requests[0]?.body.messages)).toContain(
      "Descriptor word: cheerful",
    );
  });

  it("reads the number it answers when it returns no logprobs", async () => {
    reply((answer) => ({ body: chat(answer === "sunny" ? "7" : "3.5 out of 10") }));
    const judge = new EndpointJudge({ url, model: "judge-1" });
    expect((await judge.score({ kind: "coherence" }, answers)).scores).toEqual([7, 3.5]);
  });

  it("fails with a reason naming the answer or the endpoint's answer", async () => {
    const judge = new EndpointJudge({ url, model: "judge-1" });
    reply((answer) => ({ body: chat(answer === "sunny" ? "8" : "I would rather not say") }));
    await expect(judge.score({ kind: "coherence" }, answers)).rejects.toMatchObject({
      code: "judge_failed",
      message: expect.stringContaining("replied to answer 1 with no score"),
    });
    reply(() => ({ status: 429, body: { error: { message: "slow down" } } }));
    await expect(judge.score({ kind: "coherence" }, answers)).rejects.toMatchObject({
      code: "judge_failed",
      message: expect.stringMatching(/answered 429: .*slow down/),
    });
  });

  it("judges `steer eval` when given --judge-url and --judge-model", async () => {
    reply((answer) => ({
      body: chat(/happy|smile|joy|glad|sunny|hope|laugh|lovely|wonderful/.test(answer) ? "9" : "4"),
    }));
    const dir = await mkdtemp(path.join(tmpdir(), "steer-endpoint-judge-"));
    const { cheerful } = await readPlanted(testModelPath, 4);
    await writeFile(path.join(dir, "cheerful.gguf"), encodeControlVector(cheerful));
    await writeFile(path.join(dir, "prompts.txt"), "Describe your ideal weekend.\n");
    const out = path.join(dir, "result.json");
    await promisify(execFile)(process.execPath, [
      path.join(repoRoot, "bin/steer.js"),
      ...["eval", "--model", testModelPath, "--control-vector", path.join(dir, "cheerful.gguf")],
      ...["--trait", "cheerful", "--multipliers=1", "--prompts", path.join(dir, "prompts.txt")],
      ...["--max-tokens", "4", "--judge-url", url, "--judge-model", "judge-2", "--out", out],
    ]);
    const result = JSON.parse(await readFile(out, "utf8")) as EvaluationResult;
    expect(result.judge).toEqual({ kind: "endpoint", model: "judge-2", descriptor: "cheerful" });
    expect(result.multipliers.map((row) => row.trait_score.mean)).toEqual([4, 9]);
  });
});
