// A GPU node killed in the middle of a streamed answer: the client gets an error or a cut stream,
// the tokens it was sent are metered, and nothing stored is lost: once the stack has restarted the
// node, the same steerable model is still there and still answers.
import { expect, it } from "vitest";
import type { SteerableModel } from "../../edge/src/api/steerable-models.ts";
import { meteredTokens, stackWithCheerful } from "./steerable.ts";

const setup = stackWithCheerful();

const request = (max_tokens: number) => ({
  model: setup.model.id,
  messages: [{ role: "user" as const, content: "Tell me about your day." }],
  max_tokens,
  steering: { cheerful: 1 },
});

it("survives the node being killed mid-stream", { timeout: 120_000 }, async () => {
  const before = await meteredTokens(setup.stack, setup.model.id);
  const stream = await setup.client.chat.completions.create({ ...request(400), stream: true });
  let chunks = 0;
  const read = (async () => {
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks += 1;
      if (chunks === 3) process.kill(setup.stack.nodePid(), "SIGKILL");
    }
  })();
  // Either the stream breaks, or it ends early: never the 400 tokens asked for.
  await read.catch(() => undefined);
  expect(chunks).toBeGreaterThanOrEqual(3);
  expect(chunks).toBeLessThan(400);

  // The stack restarts the node; the model (in D1, its vector in R2) answers again.
  const answer = await untilAnswered(() => setup.client.chat.completions.create(request(8)));
  expect(answer.choices[0]?.message.content).toBeTruthy();
  const stored = (await (
    await setup.stack.call(`/v1/steerable-models/${setup.model.id}`)
  ).json()) as SteerableModel;
  expect(stored.status).toBe("ready");

  const after = await meteredTokens(setup.stack, setup.model.id, before.requests + 2);
  const cut = after.completion - before.completion - (answer.usage?.completion_tokens ?? 0);
  expect(cut).toBeGreaterThanOrEqual(chunks);
  expect(cut).toBeLessThan(400);
  expect(after.prompt - before.prompt).toBe(2 * (answer.usage?.prompt_tokens ?? 0));
});

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
