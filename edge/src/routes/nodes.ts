// The operator's GPU nodes (the registry, nodes/registry.ts): add one (checked first: it must be
// ready and serve a model to the edge's token), list them with their state, health, load and the
// completions each served, drain one (it finishes its streams and gets no new work, in every
// isolate within seconds), remove one. Behind the operator token, as POST /v1/accounts is.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError, rejectInvalid } from "../../../shared/http/api-error.ts";
import { errorAnswers, jsonAnswer, jsonBody } from "../../../shared/http/openapi.ts";
import { BODY_ERRORS, INVALID, OPERATOR_ERRORS } from "../api/errors.ts";
import {
  addNodeRequestSchema,
  deletedNodeSchema,
  type NodeObject,
  nodeIdParams,
  nodeListSchema,
  nodeObjectSchema,
} from "../api/nodes.ts";
import type { EdgeEnv } from "../env.ts";
import { database } from "../lib/db.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";
import { operatorOnly } from "../middleware/operator.ts";
import { forgetServedModels } from "../nodes/base-models.ts";
import { checkNode } from "../nodes/health.ts";
import { NodePool } from "../nodes/pool.ts";
import {
  addNode,
  configuredNodes,
  findNode,
  nodeUrl,
  type RegisteredNode,
  readRegistry,
  recordHealth,
  removeNode,
  setNodeState,
} from "../nodes/registry.ts";
import { TAGS } from "../openapi/tags.ts";

const common = {
  tags: [TAGS.operator.name],
  security: [{ operator: [] }],
  middleware: [operatorOnly],
};
const NOT_FOUND = "No such node (or it was removed)";

export const nodeRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid })
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/v1/operator/nodes",
      summary:
        "Register a GPU node, once it answers ready and names its model; again: reactivate it",
      request: { body: jsonBody(addNodeRequestSchema) },
      responses: {
        201: jsonAnswer(nodeObjectSchema, "The node, registered and active"),
        ...errorAnswers({
          ...BODY_ERRORS,
          400: `${INVALID}; or the node is not ready, cannot be reached, or refuses the edge's token (param url)`,
          ...OPERATOR_ERRORS,
        }),
      },
    }),
    async (c) => {
      const url = nodeUrl(c.req.valid("json").url);
      const pool = NodePool.fromEnv(c.env);
      const check = await checkNode(pool, url);
      if (check.health !== "ready" || !check.baseModel) {
        const why = check.error ?? "it is not ready";
        throw new ApiError(400, `url: the node is not usable: ${why}`, "node_not_ready", "url");
      }
      const db = database(c.env.DB);
      const added = await addNode(db, url, check.baseModel);
      await recordHealth(db, url, check);
      forgetServedModels();
      return c.json(nodeObject(await found(c, added.id)), 201);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/v1/operator/nodes",
      summary: "The registered GPU nodes: state, base model, health, load, completions served",
      responses: {
        200: jsonAnswer(nodeListSchema, "Every node routed among, in the order they were added"),
        ...errorAnswers(OPERATOR_ERRORS),
      },
    }),
    async (c) => {
      // The registry as D1 holds it now, not as this isolate cached it.
      const nodes = await readRegistry(database(c.env.DB), configuredNodes(c.env.GPU_NODES));
      return c.json({ object: "list" as const, data: nodes.map(nodeObject) }, 200);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/v1/operator/nodes/{id}/drain",
      summary: "Drain a node: it finishes what it runs and gets no new work (within seconds)",
      request: { params: nodeIdParams },
      responses: {
        200: jsonAnswer(nodeObjectSchema, "The node, draining"),
        ...errorAnswers({ ...OPERATOR_ERRORS, 404: NOT_FOUND }),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await found(c, id);
      await setNodeState(database(c.env.DB), id, "draining");
      return c.json(nodeObject(await found(c, id)), 200);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "delete",
      path: "/v1/operator/nodes/{id}",
      summary: "Remove a node from the registry (GPU_NODES does not bring it back)",
      request: { params: nodeIdParams },
      responses: {
        200: jsonAnswer(deletedNodeSchema, "The node, removed"),
        ...errorAnswers({ ...OPERATOR_ERRORS, 404: NOT_FOUND }),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await found(c, id);
      await removeNode(database(c.env.DB), id);
      return c.json({ id, object: "node" as const, deleted: true as const }, 200);
    },
  );

/** The node `id` as D1 holds it; a 404 naming `id` if there is none. */
async function found(c: Context<EdgeEnv>, id: string): Promise<RegisteredNode> {
  const node = await findNode(database(c.env.DB), id);
  if (!node) throw new ApiError(404, `no node ${JSON.stringify(id)}`, "node_not_found", "id");
  return node;
}

function nodeObject(node: RegisteredNode): NodeObject {
  return {
    id: node.id,
    object: "node",
    url: node.url,
    state: node.state,
    source: node.source,
    base_model: node.baseModel,
    health: {
      status: node.health,
      error: node.healthError,
      checked_at: node.checkedAt === null ? null : unixSeconds(node.checkedAt),
    },
    load: node.load ?? null,
    completions_served: node.completionsServed,
    added_at: unixSeconds(node.addedAt),
  };
}
