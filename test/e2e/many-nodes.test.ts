// `STEER_NODES=3 npm start`: three GPU nodes, each its own process and port, all registered. The
// edge spreads concurrent requests over them by load; a drained node takes no new request; a node
// killed under load hangs no request: streams it cut end with an error event and are metered for
// what they delivered, and whole answers it held, which had sent nothing yet, are answered by
// another node.
import { APIError } from "openai";
import { expect, it } from "vitest";
import type { NodeObject } from "../../edge/src/api/nodes.ts";
import type { Stack } from "./stack.ts";
import { meteredTokens, stackWithCheerful } from "./steerable.ts";

// One thread a node: three nodes share the machine's cores.
const setup = stackWithCheerful({ STEER_NODES: "3", STEER_THREADS: "1" });

const CONCURRENT = 24;

function request(max_tokens: number) {
  return {
    model: setup.model.id,
    messages: [{ role: "user" as const, content: "Tell me about your day." }],
    max_tokens,
    steering: { cheerful: 1 },
  };
}

async function nodes(stack: Stack): Promise<NodeObject[]> {
  const response = await stack.call("/v1/operator/nodes", { key: stack.operatorToken });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: NodeObject[] }).data;
}

/** Completions served per node URL, once they add up to at least `total`. */
async function served(stack: Stack, total = 0): Promise<Map<string, number>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const counts = new Map((await nodes(stack)).map((n) => [n.url, n.completions_served]));
    const sum = [...counts.values()].reduce((a, b) => a + b, 0);
    if (sum >= total || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function sumOf(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

it("runs three nodes, each its own process, all registered with the edge", () => {
  const { stack } = setup;
  expect(stack.nodeUrls).toHaveLength(3);
  expect(new Set(stack.nodeUrls.map((url) => stack.nodePid(url))).size).toBe(3);
  return nodes(stack).then((list) => {
    expect(list.map((n) => n.url).sort()).toEqual([...stack.nodeUrls].sort());
    expect(list.every((n) => n.state === "active")).toBe(true);
  });
});

it("spreads concurrent requests over the nodes, each serving a fair share", {
  timeout: 120_000,
}, async () => {
  const before = await served(setup.stack);
  const answers = await Promise.all(
    Array.from({ length: CONCURRENT }, () => setup.client.chat.completions.create(request(24))),
  );
  expect(answers.every((answer) => answer.choices[0]?.message.content)).toBe(true);
  const after = await served(setup.stack, sumOf(before) + CONCURRENT);
  const shares = setup.stack.nodeUrls.map((url) => (after.get(url) ?? 0) - (before.get(url) ?? 0));
  expect(shares.reduce((a, b) => a + b, 0)).toBe(CONCURRENT);
  // A fair share is 8 each; least outstanding first gives each at least half of that.
  for (const share of shares) {
    expect(share, `shares ${shares.join("/")}`).toBeGreaterThanOrEqual(CONCURRENT / 3 / 2);
  }
});

it("gives a drained node no new request, and lets it finish its streams", {
  timeout: 120_000,
}, async () => {
  const { stack, client } = setup;
  const drainedUrl = stack.nodeUrls[2] as string;
  const node = (await nodes(stack)).find((n) => n.url === drainedUrl) as NodeObject;
  const before = await served(stack);
  // Streams on every node (two each, by load) while it is drained: each ends as it would have.
  let started = 0;
  const streams = Array.from({ length: 6 }, async () => {
    const stream = await client.chat.completions.create({ ...request(48), stream: true });
    let finish: string | null | undefined;
    let counted = false;
    for await (const chunk of stream) {
      if (!counted && chunk.choices[0]?.delta.content) {
        counted = true;
        started += 1;
      }
      finish ??= chunk.choices[0]?.finish_reason;
    }
    return finish;
  });
  while (started < 6) await new Promise((resolve) => setTimeout(resolve, 5));
  const drain = await stack.call(`/v1/operator/nodes/${node.id}/drain`, {
    method: "POST",
    key: stack.operatorToken,
  });
  expect(drain.status).toBe(200);
  // The streams it ran when drained end as they would have...
  for (const finish of await Promise.all(streams)) expect(["length", "stop"]).toContain(finish);
  const drained = await served(stack, sumOf(before) + 6);
  expect(sumOf(drained) - sumOf(before)).toBe(6);
  expect(drained.get(drainedUrl)).toBeGreaterThan(before.get(drainedUrl) ?? 0);
  // ...and it takes no new request.
  const whole = await Promise.all(
    Array.from({ length: 12 }, () => client.chat.completions.create(request(8))),
  );
  expect(whole.every((answer) => answer.choices[0]?.finish_reason)).toBe(true);
  const after = await served(stack, sumOf(drained) + 12);
  expect(sumOf(after) - sumOf(drained)).toBe(12);
  expect(after.get(drainedUrl)).toBe(drained.get(drainedUrl));
  // Added again, it is active once more.
  const added = await stack.call("/v1/operator/nodes", {
    method: "POST",
    key: stack.operatorToken,
    body: JSON.stringify({ url: drainedUrl }),
  });
  expect(added.status).toBe(201);
});

it("hangs no request when a node is killed under load: cut streams end in error, metered for what they sent; whole answers go to another node", {
  timeout: 120_000,
}, async () => {
  const { stack, client } = setup;
  // Usage rows arrive through a queue: wait for those of every completion so far.
  const before = await meteredTokens(stack, setup.model.id, sumOf(await served(stack)));
  const MAX = 300;
  let chunks = 0;
  const victim = stack.nodeUrls[1] as string;
  const streams = Array.from({ length: 9 }, async () => {
    const stream = await client.chat.completions.create({ ...request(MAX), stream: true });
    let mine = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) {
          mine += 1;
          chunks += 1;
        }
      }
      return { mine, cut: false };
    } catch (error) {
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).message).toMatch(/the GPU node stopped before the answer/);
      return { mine, cut: true };
    }
  });
  const wholes = Array.from({ length: 3 }, () => client.chat.completions.create(request(MAX)));
  // Every stream under way, then the node dies in the middle of them.
  while (chunks < 9 * 3) await new Promise((resolve) => setTimeout(resolve, 5));
  process.kill(stack.nodePid(victim), "SIGKILL");
  const ended = await Promise.all(streams);
  const answered = await Promise.all(wholes);
  expect(ended.filter((stream) => stream.cut).length).toBeGreaterThan(0);
  expect(answered.every((answer) => answer.choices[0]?.finish_reason)).toBe(true);
  // One usage row a request, cut ones included, each with what it delivered at least.
  const after = await meteredTokens(stack, setup.model.id, before.requests + 12);
  expect(after.requests - before.requests).toBe(12);
  const delivered = ended.reduce((sum, stream) => sum + stream.mine, 0);
  const whole = answered.reduce((sum, answer) => sum + (answer.usage?.completion_tokens ?? 0), 0);
  expect(after.completion - before.completion).toBeGreaterThanOrEqual(delivered + whole);
  expect(after.completion - before.completion).toBeLessThan(12 * MAX);
});
