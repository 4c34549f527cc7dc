// The node registry: the GPU nodes in D1 (schema.ts `nodes`), which the pool routes among. The
// nodes GPU_NODES lists are registered on an isolate's first read (source `config`, routed to while
// GPU_NODES lists them); the operator adds, drains and removes nodes (routes/operator-nodes.ts);
// the cron checks their health (nodes/health.ts).
//
// Each isolate reads the registry at most every FRESH_MS, so that routing costs no D1 read per
// request; a change made through this isolate (a drain, say) is seen by it at once, and by every
// other isolate within FRESH_MS: a drained node gets no new request after those two seconds.
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { NodeLoad } from "../../../shared/node-api/load.ts";
import { type NodeHealth, type NodeState, nodes } from "../db/schema.ts";
import type { Db } from "../lib/db.ts";
import { newId } from "../lib/ids.ts";

const FRESH_MS = 2_000;

export type RegisteredNode = typeof nodes.$inferSelect;

/** What the pool needs of the registry. */
export interface NodeRegistry {
  /** The nodes routed among: active ones take new work, draining ones finish theirs. */
  nodes(): Promise<readonly RegisteredNode[]>;
  /** Notes the base model a node answered that it serves. */
  learnModel(url: string, model: string): Promise<void>;
}

let cached: { key: string; nodes: RegisteredNode[]; until: number } | null = null;
const seeded = new Set<string>();

/** A node's base URL as the registry keys it: no trailing slash. */
export function nodeUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/** GPU_NODES's URLs. */
export function configuredNodes(list: string): string[] {
  return list.split(",").map(nodeUrl).filter(Boolean);
}

/** The registry in D1, with `seeds` (GPU_NODES) registered on first use. */
export function d1Registry(db: Db, seeds: readonly string[]): NodeRegistry {
  return {
    nodes: () => registeredNodes(db, seeds),
    learnModel: async (url, model) => {
      await db.update(nodes).set({ baseModel: model }).where(eq(nodes.url, url));
      forgetRegistry();
    },
  };
}

/** The nodes routed among, as this isolate last read them (at most FRESH_MS ago). */
export async function registeredNodes(db: Db, seeds: readonly string[]): Promise<RegisteredNode[]> {
  const key = seeds.join(",");
  if (cached?.key === key && cached.until > Date.now()) return cached.nodes;
  const rows = await readRegistry(db, seeds);
  cached = { key, nodes: rows, until: Date.now() + FRESH_MS };
  return rows;
}

/** The nodes routed among, as D1 holds them now. */
export async function readRegistry(db: Db, seeds: readonly string[]): Promise<RegisteredNode[]> {
  const key = seeds.join(",");
  if (!seeded.has(key)) {
    await seedNodes(db, seeds);
    seeded.add(key);
  }
  const listed = seeds.length > 0 ? inArray(nodes.url, [...seeds]) : sql`0`;
  return db
    .select()
    .from(nodes)
    .where(and(isNull(nodes.removedAt), or(eq(nodes.source, "operator"), listed)))
    .orderBy(nodes.addedAt, nodes.url);
}

/** Makes this isolate read the registry again on its next use: it has just changed it. */
export function forgetRegistry(): void {
  cached = null;
}

/** Registers GPU_NODES's nodes that are not yet (a node the operator removed stays removed). */
async function seedNodes(db: Db, urls: readonly string[]): Promise<void> {
  if (urls.length === 0) return;
  const rows = urls.map((url) => ({ id: newId("node"), url, source: "config" as const }));
  await db.insert(nodes).values(rows).onConflictDoNothing({ target: nodes.url });
}

/** Registers `url` (again, if it was removed or drained) as the operator's, active. */
export async function addNode(db: Db, url: string, baseModel: string): Promise<RegisteredNode> {
  const [row] = await db
    .insert(nodes)
    .values({ id: newId("node"), url, source: "operator", baseModel })
    .onConflictDoUpdate({
      target: nodes.url,
      set: { source: "operator", state: "active", baseModel, removedAt: null },
    })
    .returning();
  forgetRegistry();
  if (!row) throw new Error(`node ${url} vanished as it was registered`);
  return row;
}

/** The node `id`, unless removed. */
export async function findNode(db: Db, id: string): Promise<RegisteredNode | null> {
  const [row] = await db
    .select()
    .from(nodes)
    .where(and(eq(nodes.id, id), isNull(nodes.removedAt)));
  return row ?? null;
}

export async function setNodeState(db: Db, id: string, state: NodeState): Promise<void> {
  await db.update(nodes).set({ state }).where(eq(nodes.id, id));
  forgetRegistry();
}

export async function removeNode(db: Db, id: string): Promise<void> {
  await db.update(nodes).set({ removedAt: Date.now() }).where(eq(nodes.id, id));
  forgetRegistry();
}

/** What a health check found (nodes/health.ts). */
export interface HealthCheck {
  health: NodeHealth;
  error: string | null;
  load: NodeLoad | null;
  baseModel: string | null;
}

export async function recordHealth(db: Db, url: string, check: HealthCheck): Promise<void> {
  await db
    .update(nodes)
    .set({
      health: check.health,
      healthError: check.error,
      checkedAt: Date.now(),
      ...(check.load ? { load: check.load } : {}),
      ...(check.baseModel ? { baseModel: check.baseModel } : {}),
    })
    .where(eq(nodes.url, url));
}

/** Counts a completion `url` served. */
export async function countServed(db: Db, url: string): Promise<void> {
  await db
    .update(nodes)
    .set({ completionsServed: sql`${nodes.completionsServed} + 1` })
    .where(eq(nodes.url, url));
}
