// The Worker reaches the GPU nodes it is configured with, with their bearer token, routes by base
// model, and reads their replies against the node's contract.
import { env } from "cloudflare:workers";
import { expect, inject, it } from "vitest";
import { askNodes } from "../../edge/src/nodes/base-models.ts";
import { generate } from "../../edge/src/nodes/generation.ts";
import { NodePool, nodeError, readReply } from "../../edge/src/nodes/pool.ts";
import { vectorKey } from "../../edge/src/nodes/vectors.ts";
import { listModelsRoute } from "../../shared/node-api/models.ts";
import { modelListSchema } from "../../shared/openai/models.ts";
import { BASE_MODEL, DAY_PROMPT, nodeFetch, plantedModel } from "./steered-model.ts";
import { newAccount } from "./support.ts";

it("reaches the configured GPU node, and passes over one that is down", async () => {
  const nodes = `http://127.0.0.1:1,${env.GPU_NODES}`;
  const pool = NodePool.fromEnv({ ...env, GPU_NODES: nodes as typeof env.GPU_NODES });
  const [model] = await askNodes(pool);
  expect(model).toMatchObject({ id: "steer-test", object: "model" });
});

it("routes by base model: a node of another model is never asked, and each model is listed once", async () => {
  // The same node under a second name: two registered nodes, one base model.
  const alias = env.GPU_NODES.replace("127.0.0.1", "localhost");
  const nodes = `http://127.0.0.1:1,${env.GPU_NODES},${alias}`;
  const pool = NodePool.fromEnv({ ...env, GPU_NODES: nodes as typeof env.GPU_NODES });
  expect((await askNodes(pool)).map((model) => model.id)).toEqual(["steer-test"]);
  const served = await pool.call(listModelsRoute, {}, { model: "steer-test" });
  expect([env.GPU_NODES, alias]).toContain(served.node);
  await served.response.text(); // its count of open requests ends with its body
  await expect(pool.call(listModelsRoute, {}, { model: "another-model" })).rejects.toMatchObject({
    status: 503,
    code: "no_gpu_node",
  });
});

it("routes each base model to its own nodes, and lists each model once", async () => {
  const other = inject("otherModelNode");
  const pool = NodePool.fromEnv({
    ...env,
    GPU_NODES: `${env.GPU_NODES},${other.url}` as typeof env.GPU_NODES,
  });
  const listed = (await askNodes(pool)).map((model) => model.id);
  expect(listed.sort()).toEqual([other.model, BASE_MODEL].sort());
  for (let i = 0; i < 3; i++) {
    for (const [model, node] of [
      [BASE_MODEL, env.GPU_NODES],
      [other.model, other.url],
    ]) {
      const served = await pool.call(listModelsRoute, {}, { model });
      expect(served.node, model).toBe(node);
      await served.response.text(); // its count of open requests ends with its body
    }
  }
});

it("prefers the node that holds the request's vectors, and spreads concurrent requests by load", async () => {
  const other = inject("malformedGeneratorNode");
  const pool = NodePool.fromEnv({
    ...env,
    GPU_NODES: `${env.GPU_NODES},${other}` as typeof env.GPU_NODES,
  });
  const { hash } = await plantedModel((await newAccount()).accountId);
  // The configured node holds the vector; the other has never seen it.
  const bytes = await env.VECTORS.get(vectorKey(hash));
  const uploaded = await nodeFetch("/v1/vectors", {
    method: "POST",
    body: await bytes?.arrayBuffer(),
  });
  expect(uploaded.status).toBe(201);
  await askNodes(pool); // each node's load (and filter) seen
  const steered = async () => {
    const body = { messages: DAY_PROMPT, max_tokens: 2, steering: { [hash]: 1 } };
    const request = { baseModel: BASE_MODEL, body };
    const { node, response } = await generate(pool, env.VECTORS, request, {}, (p) => p);
    expect(response.status).toBe(200);
    await response.text();
    return node;
  };
  // One at a time, nobody waits anywhere: the holder takes them all.
  for (let i = 0; i < 4; i++) expect(await steered()).toBe(env.GPU_NODES);
  // Eight at once: once the holder has two open, the other is the better choice, vector or not.
  const nodes = await Promise.all(Array.from({ length: 8 }, steered));
  expect(new Set(nodes)).toEqual(new Set([env.GPU_NODES, other]));
});

it("takes a reply outside the contract for the node's failure (502), never for an answer", async () => {
  const stray = Response.json({ object: "list", data: [{ id: 7 }] });
  await expect(readReply(stray, modelListSchema)).rejects.toMatchObject({
    status: 502,
    code: "node_error",
  });
});

it("passes a node's refusal of the client's request on, naming the client's own field", async () => {
  const refusal = Response.json(
    {
      error: {
        message: "max_tokens is 9999, but the context holds 4096 tokens",
        type: "invalid_request_error",
        param: "max_tokens",
        code: "context_length_exceeded",
      },
    },
    { status: 400 },
  );
  const error = await nodeError(refusal, (param) => `settings.${param}`);
  expect(error).toMatchObject({
    status: 400,
    code: "context_length_exceeded",
    param: "settings.max_tokens",
    message: "settings.max_tokens: max_tokens is 9999, but the context holds 4096 tokens",
  });
  // The node refusing the edge's own token is no fault of the client's.
  const unauthorized = Response.json(
    {
      error: { message: "no", type: "authentication_error", param: null, code: "invalid_api_key" },
    },
    { status: 401 },
  );
  expect(await nodeError(unauthorized)).toMatchObject({ status: 502, code: "node_error" });
});
