// The GPU nodes, as the operator manages them (routes/nodes.ts): the registry's rows
// (nodes/registry.ts), each with its state, health, load and the completions it served.
import { z } from "zod";
import { MAX_NODE_URL_CHARS } from "../../../shared/limits.ts";
import { nodeLoadSchema } from "../../../shared/node-api/load.ts";
import { NODE_HEALTH, NODE_STATES } from "../db/schema.ts";

export const addNodeRequestSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .max(MAX_NODE_URL_CHARS)
      .refine(isBaseUrl, "a node's base URL has no credentials, query or fragment")
      .describe(
        "The node's base URL, http or https, as the edge reaches it (its routes are under it: " +
          "/readyz, /v1/...). It must answer /readyz and, with the edge's NODE_TOKEN, /v1/models",
      ),
  })
  .meta({ id: "AddNode" });

export const nodeObjectSchema = z
  .object({
    id: z.string(),
    object: z.literal("node"),
    url: z.string(),
    state: z
      .enum(NODE_STATES)
      .describe("active: takes new work; draining: finishes what it runs, gets nothing new"),
    source: z
      .enum(["config", "operator"])
      .describe("config: listed in GPU_NODES; operator: added through this API"),
    base_model: z.string().nullable().describe("The base model it serves; null until it answers"),
    health: z
      .object({
        status: z
          .enum(NODE_HEALTH)
          .describe("What its last check found (the cron checks every minute)"),
        error: z.string().nullable().describe("Why its last check failed"),
        checked_at: z.number().int().nullable().describe("Unix seconds"),
      })
      .describe("Its last health check"),
    load: nodeLoadSchema.nullable().describe("Its load at its last health check"),
    completions_served: z
      .number()
      .int()
      .describe("Chat and text completions it served that made tokens"),
    added_at: z.number().int().describe("Unix seconds"),
  })
  .meta({ id: "GpuNode" });

export type NodeObject = z.infer<typeof nodeObjectSchema>;

export const nodeListSchema = z
  .object({ object: z.literal("list"), data: z.array(nodeObjectSchema) })
  .meta({ id: "GpuNodeList" });

export const deletedNodeSchema = z
  .object({ id: z.string(), object: z.literal("node"), deleted: z.literal(true) })
  .meta({ id: "DeletedGpuNode" });

export const nodeIdParams = z.object({ id: z.string().describe("The node's id (node_...)") });

/** No credentials, query or fragment (a string that is no URL is the url check's to refuse). */
function isBaseUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  return !parsed.username && !parsed.password && !parsed.search && !parsed.hash;
}
