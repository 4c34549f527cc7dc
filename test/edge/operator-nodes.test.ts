// The operator's GPU nodes through the Worker: the configured node is registered on first use,
// listed with its model, health, load and completions served; the cron checks it; a drained node
// takes no new request until it is added again; a removed one is gone.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { NodeObject } from "../../edge/src/api/nodes.ts";
import worker from "../../edge/src/index.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { OPERATOR_TOKEN } from "./operator-token.ts";
import { BASE_MODEL, DAY_PROMPT } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";

function operator(path: string, init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, key: OPERATOR_TOKEN });
}

async function listed(): Promise<NodeObject[]> {
  const response = await operator("/v1/operator/nodes");
  expect(response.status).toBe(200);
  const list = (await response.json()) as { object: string; data: NodeObject[] };
  expect(list.object).toBe("list");
  return list.data;
}

async function theNode(): Promise<NodeObject> {
  const node = (await listed()).find((n) => n.url === env.GPU_NODES);
  if (!node) throw new Error("the configured node is not listed");
  return node;
}

function chat(key: string): Promise<Response> {
  const body = JSON.stringify({ model: BASE_MODEL, messages: DAY_PROMPT, max_tokens: 3 });
  return call("/v1/chat/completions", { method: "POST", key, body });
}

async function addNode(url: string): Promise<Response> {
  return operator("/v1/operator/nodes", { method: "POST", body: JSON.stringify({ url }) });
}

describe("the operator's GPU nodes", () => {
  it("lists the configured node with its model, health and load after the cron, and counts what it served", async () => {
    const { key } = await newAccount();
    expect((await chat(key)).status).toBe(200);
    const before = await theNode();
    expect(before).toMatchObject({ object: "node", state: "active", source: "config" });
    expect(before.base_model).toBe(BASE_MODEL);
    await vi.waitFor(async () => expect((await theNode()).completions_served).toBe(1));
    const context = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, context);
    await waitOnExecutionContext(context);
    const checked = await theNode();
    expect(checked.health).toMatchObject({ status: "ready", error: null });
    expect(checked.health.checked_at).toBeGreaterThan(0);
    expect(checked.load?.free_sequences).toBeGreaterThan(0);
    expect(checked.load?.queue_depth).toBe(0);
  });

  it("registers a node only once it answers ready to the edge's token, naming url otherwise", async () => {
    const refused = await addNode("http://127.0.0.1:9");
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ApiErrorBody).error).toMatchObject({
      code: "node_not_ready",
      param: "url",
    });
    const added = await addNode(`${env.GPU_NODES}/`);
    expect(added.status).toBe(201);
    const node = (await added.json()) as NodeObject;
    expect(node).toMatchObject({
      url: env.GPU_NODES,
      state: "active",
      source: "operator",
      base_model: BASE_MODEL,
      health: { status: "ready" },
    });
    expect(node.id).toBe((await theNode()).id);
  });

  it("gives a drained node no new request, at once; adding it again brings it back", async () => {
    const { key } = await newAccount();
    const { id } = await theNode();
    const drained = await operator(`/v1/operator/nodes/${id}/drain`, { method: "POST" });
    expect(drained.status).toBe(200);
    expect(((await drained.json()) as NodeObject).state).toBe("draining");
    const refused = await chat(key);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe("no_gpu_node");
    expect((await addNode(env.GPU_NODES)).status).toBe(201);
    expect((await chat(key)).status).toBe(200);
  });

  it("removes a node: it leaves the list and routing, and is a 404 after", async () => {
    const { key } = await newAccount();
    const { id } = await theNode();
    const removed = await operator(`/v1/operator/nodes/${id}`, { method: "DELETE" });
    expect(await removed.json()).toEqual({ id, object: "node", deleted: true });
    expect((await listed()).map((n) => n.id)).not.toContain(id);
    expect((await chat(key)).status).toBe(503);
    for (const [path, method] of [
      [`/v1/operator/nodes/${id}`, "DELETE"],
      [`/v1/operator/nodes/${id}/drain`, "POST"],
    ] as const) {
      const missing = await operator(path, { method });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as ApiErrorBody).error.param).toBe("id");
    }
    // GPU_NODES still lists it, but a removed node stays removed until the operator adds it.
    expect((await addNode(env.GPU_NODES)).status).toBe(201);
    expect((await chat(key)).status).toBe(200);
  });
});
