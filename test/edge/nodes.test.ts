// The Worker reaches the GPU nodes it is configured with, with their bearer token, routes by base
// model, and reads their replies against the node's contract.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { askNodes } from "../../edge/src/nodes/base-models.ts";
import { NodePool, nodeError, readReply } from "../../edge/src/nodes/pool.ts";
import { listModelsRoute } from "../../shared/node-api/models.ts";
import { modelListSchema } from "../../shared/openai/models.ts";

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
  await expect(pool.call(listModelsRoute, {}, { model: "another-model" })).rejects.toMatchObject({
    status: 503,
    code: "no_gpu_node",
  });
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
