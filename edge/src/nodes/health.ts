// A node's health, as the operator's POST /v1/operator/nodes checks it before registering it and
// the cron checks every registered node each minute: its /readyz (ready, with its load, or
// stopping) and, when ready, the base model its /v1/models names, asked with the edge's token, so
// that a node the edge cannot use is found out at once.
import { listModelsRoute, readyRoute, readySchema } from "../../../shared/node-api/models.ts";
import { modelListSchema } from "../../../shared/openai/models.ts";
import type { Db } from "../lib/db.ts";
import { type NodePool, readReply } from "./pool.ts";
import { type HealthCheck, recordHealth } from "./registry.ts";

export async function checkNode(pool: NodePool, url: string): Promise<HealthCheck> {
  const failed = (error: string): HealthCheck => ({
    health: "unreachable",
    error,
    load: null,
    baseModel: null,
  });
  const ready = await pool.callNode(url, readyRoute).catch(() => null);
  if (!ready) return failed(`${url}/readyz cannot be reached`);
  if (ready.status === 503) {
    await ready.body?.cancel();
    return { health: "stopping", error: "it is shutting down", load: null, baseModel: null };
  }
  const parsed = readySchema.safeParse(await ready.json().catch(() => undefined));
  if (!ready.ok || !parsed.success) {
    return failed(`${url}/readyz answered ${ready.status}, not a GPU node's readiness`);
  }
  const models = await pool
    .callNode(url, listModelsRoute)
    .then((response) => readReply(response, modelListSchema))
    .catch((error: Error) => error);
  if (models instanceof Error) return failed(`${url}/v1/models: ${models.message}`);
  const baseModel = models.data[0]?.id ?? null;
  if (!baseModel) return failed(`${url}/v1/models lists no model`);
  return { health: "ready", error: null, load: parsed.data.load, baseModel };
}

/** The cron's round: every registered node checked, and what was found written to the registry. */
export async function checkNodes(db: Db, pool: NodePool): Promise<void> {
  const nodes = await pool.registry.nodes();
  await Promise.all(
    nodes.map(async (node) => recordHealth(db, node.url, await checkNode(pool, node.url))),
  );
}
