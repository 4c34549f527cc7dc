// A GPU node killed in the middle of an answer: the client is told (a streamed answer ends with an
// error event, which the openai client raises; a whole one is a 503), what reached it is metered
// (a stream's chunks; nothing of a whole answer), and nothing stored is lost: once the stack has
// restarted the node, the same steerable model is still there and still answers.
import { APIError } from "openai";
import { expect, it } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import type { Stack } from "./stack.ts";
import { meteredTokens, stackWithCheerful } from "./steerable.ts";

const setup = stackWithCheerful();

const MAX_TOKENS = 400;

const request = (max_tokens: number) => ({
  model: setup.model.id,
  messages: [{ role: "user" as const, content: "Tell me about your day." }],
  max_tokens,
  steering: { cheerful: 1 },
});

it("ends a stream whose node is killed with an error the client raises, metered for what it sent", {
  timeout: 120_000,
}, async () => {
  const before = await meteredTokens(setup.stack, setup.model.id);
  const stream = await setup.client.chat.completions.create({
    ...request(MAX_TOKENS),
    stream: true,
  });
  let chunks = 0;
  const read = (async () => {
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks += 1;
      if (chunks === 3) process.kill(setup.stack.nodePid(), "SIGKILL");
    }
  })();
  const error = await read.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(APIError);
  expect((error as APIError).message).toMatch(
    /the GPU node stopped before the answer was complete/,
  );
  expect(chunks).toBeGreaterThanOrEqual(3);
  expect(chunks).toBeLessThan(MAX_TOKENS);

  const answer = await untilNodeIsBack();
  const after = await meteredTokens(setup.stack, setup.model.id, before.requests + 2);
  const cut = after.completion - before.completion - (answer.usage?.completion_tokens ?? 0);
  expect(cut).toBeGreaterThanOrEqual(chunks);
  expect(cut).toBeLessThan(MAX_TOKENS);
  expect(after.prompt - before.prompt).toBe(2 * (answer.usage?.prompt_tokens ?? 0));
});

it("answers 503 to a whole answer whose node is killed, and meters nothing of it", {
  timeout: 120_000,
}, async () => {
  const before = await meteredTokens(setup.stack, setup.model.id);
  const generated = await tokensGenerated(setup.stack);
  const whole = setup.client.chat.completions.create(request(MAX_TOKENS)).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  // Killed once it has made a few tokens, long before it would end.
  while ((await tokensGenerated(setup.stack)) < generated + 5) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  process.kill(setup.stack.nodePid(), "SIGKILL");
  const error = await whole;
  expect(error).toBeInstanceOf(APIError);
  expect((error as APIError).status).toBe(503);

  // A node sends a whole answer's text and usage together: none of the cut one reached anyone, so
  // the usage is the next answer's alone.
  const answer = await untilNodeIsBack();
  const after = await meteredTokens(setup.stack, setup.model.id, before.requests + 1);
  expect(after.requests - before.requests).toBe(1);
  expect(after.completion - before.completion).toBe(answer.usage?.completion_tokens);
  expect(after.prompt - before.prompt).toBe(answer.usage?.prompt_tokens);
});

/** The node's count of the tokens it has generated (its /metrics). */
async function tokensGenerated(stack: Stack): Promise<number> {
  const headers = { authorization: `Bearer ${stack.nodeToken}` };
  const metrics = await (await fetch(`${stack.nodeUrl}/metrics`, { headers })).text();
  return Number(/^steer_tokens_generated_total (\d+)$/m.exec(metrics)?.[1]);
}

/**
 * Once the stack has restarted the node, the model (in D1, its vector in R2) answers again, and is
 * still ready: its answer, made with the same prompt as the cut one.
 */
async function untilNodeIsBack() {
  const answer = await untilAnswered(() => setup.client.chat.completions.create(request(8)));
  expect(answer.choices[0]?.message.content).toBeTruthy();
  const stored = (await (
    await setup.stack.call(`/v1/steerable-models/${setup.model.id}`)
  ).json()) as SteerableModel;
  expect(stored.status).toBe("ready");
  return answer;
}

async function untilAnswered<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
