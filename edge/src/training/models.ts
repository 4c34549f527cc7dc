// Steerable models in D1: a row per model, one per trait (its examples or description, its job,
// its vector), and the API's shape of them. Every read is scoped to the caller's account: another
// account's model is never found.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { LayerSelection } from "../../../shared/node-api/layers.ts";
import type { ControlDimension, SteerableModel } from "../api/steerable-models.ts";
import { traitConditions } from "../conditions/records.ts";
import { steerableModels, traits } from "../db/schema.ts";
import type { Caller } from "../env.ts";
import { traitQuality } from "../evaluations/quality.ts";
import { NO_JOB } from "../jobs/lifecycle.ts";
import type { Db } from "../lib/db.ts";
import { newId } from "../lib/ids.ts";
import { unixSeconds } from "../lib/unix-seconds.ts";

export type ModelRow = typeof steerableModels.$inferSelect;
export type TraitRow = typeof traits.$inferSelect;

export interface ModelRecord extends ModelRow {
  traits: TraitRow[];
}

/** Whose a model is: the account, and the key that made it (what its making uses is metered to). */
export type ModelOwner = Pick<Caller, "accountId" | "keyId">;

export interface NewModel extends ModelOwner {
  label: string;
  baseModel: string;
  promptList?: string[] | null;
  template?: string | null;
  /** The layers its traits steer (null: chosen by measurement). */
  layers?: LayerSelection | null;
  preset?: string | null;
  /**
   * Trait name -> its examples (or the description and pairs to generate them from), and its
   * vector's hash when it has one already.
   */
  dimensions: Record<string, TraitDefinition>;
}

export type TraitDefinition = Pick<ControlDimension, "positive_examples" | "negative_examples"> &
  Partial<Pick<ControlDimension, "description" | "pairs">> & { vectorHash?: string };

/** Stores a model: ready when every trait comes with its vector, else pending (to be trained). */
export async function insertModel(db: Db, model: NewModel): Promise<ModelRecord> {
  const now = Date.now();
  const dimensions = Object.entries(model.dimensions);
  const ready = dimensions.every(([, dimension]) => dimension.vectorHash);
  const row: ModelRow = {
    id: newId("sm"),
    accountId: model.accountId,
    keyId: model.keyId,
    label: model.label,
    baseModel: model.baseModel,
    status: ready ? "ready" : "pending",
    failureReason: null,
    promptList: model.promptList ?? null,
    template: model.template ?? null,
    layers: model.layers ?? null,
    preset: model.preset ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const traitRows: TraitRow[] = dimensions.map(([name, dimension]) => ({
    modelId: row.id,
    name,
    positiveExamples: dimension.positive_examples,
    negativeExamples: dimension.negative_examples,
    description: dimension.description ?? null,
    generatedPairs: dimension.pairs ?? null,
    status: dimension.vectorHash ? "ready" : "pending",
    vectorHash: dimension.vectorHash ?? null,
    ...NO_JOB,
    quality: null,
    layerChoice: null,
    condition: null,
  }));
  await db.batch([db.insert(steerableModels).values(row), db.insert(traits).values(traitRows)]);
  return { ...row, traits: traitRows };
}

export async function findModel(
  db: Db,
  accountId: string,
  id: string,
): Promise<ModelRecord | null> {
  const [row] = await db
    .select()
    .from(steerableModels)
    .where(and(eq(steerableModels.id, id), eq(steerableModels.accountId, accountId)));
  if (!row) return null;
  const [record] = await withTraits(db, [row]);
  return record ?? null;
}

/** findModel, or a 404: another account's model is as unknown as a made-up one. */
export async function requireModel(
  db: Db,
  accountId: string,
  id: string,
  param = "id",
): Promise<ModelRecord> {
  const model = await findModel(db, accountId, id);
  if (!model) {
    throw new ApiError(404, `no steerable model ${JSON.stringify(id)}`, "model_not_found", param);
  }
  return model;
}

/** The account's models, newest first. */
export async function listModels(
  db: Db,
  accountId: string,
  page: { limit: number; offset: number },
): Promise<ModelRecord[]> {
  const rows = await db
    .select()
    .from(steerableModels)
    .where(eq(steerableModels.accountId, accountId))
    // Models made in the same millisecond keep their order of insertion.
    .orderBy(desc(steerableModels.createdAt), desc(sql`rowid`))
    .limit(page.limit)
    .offset(page.offset);
  return withTraits(db, rows);
}

export async function deleteModel(db: Db, id: string): Promise<void> {
  await db.batch([
    db.delete(traits).where(eq(traits.modelId, id)),
    db.delete(steerableModels).where(eq(steerableModels.id, id)),
  ]);
}

/** The statuses of a model still on its way to ready. */
export const UNFINISHED_STATUSES = ["pending", "generating", "training"] as const;

export function isTraining(model: ModelRow): boolean {
  return (UNFINISHED_STATUSES as readonly string[]).includes(model.status);
}

/** Whether the trait's examples are still to be generated from its description. */
export function awaitsGeneration(trait: TraitRow): boolean {
  return trait.generatedPairs !== null && trait.positiveExamples.length === 0;
}

/**
 * Changes the trait only if no other pass has moved it on since `trait` was read: its status, its
 * jobs and its examples as they were (a described trait goes back to pending, with no job, once
 * its examples are written; a pass that read it before its generation must not take it for the
 * same trait).
 */
export async function updateTrait(
  db: Db,
  trait: TraitRow,
  changes: Partial<TraitRow>,
): Promise<boolean> {
  const changed = await db
    .update(traits)
    .set(changes)
    .where(
      and(
        eq(traits.modelId, trait.modelId),
        eq(traits.name, trait.name),
        eq(traits.status, trait.status),
        eq(traits.attempts, trait.attempts),
        eq(traits.positiveExamples, trait.positiveExamples),
      ),
    )
    .returning({ name: traits.name });
  return changed.length > 0;
}

export function toApiModel(model: ModelRecord): SteerableModel {
  return {
    id: model.id,
    object: "steerable_model",
    created_at: unixSeconds(model.createdAt),
    model: model.baseModel,
    model_label: model.label,
    control_dimensions: Object.fromEntries(model.traits.map((trait) => [trait.name, shown(trait)])),
    prompt_list: model.promptList,
    template: model.template,
    layers: model.layers,
    layer_choices: Object.fromEntries(
      model.traits.flatMap((trait) => (trait.layerChoice ? [[trait.name, trait.layerChoice]] : [])),
    ),
    status: model.status,
    failure_reason: model.failureReason,
    preset: model.preset,
    quality: traitQuality(model.traits),
    conditions: traitConditions(model.traits),
  };
}

/** A trait as the API shows it: its examples, its description, and whether they were generated. */
function shown(trait: TraitRow): SteerableModel["control_dimensions"][string] {
  return {
    positive_examples: trait.positiveExamples,
    negative_examples: trait.negativeExamples,
    ...(trait.description !== null && { description: trait.description }),
    ...(trait.generatedPairs !== null && { pairs: trait.generatedPairs, generated: true as const }),
  };
}

async function withTraits(db: Db, rows: ModelRow[]): Promise<ModelRecord[]> {
  if (rows.length === 0) return [];
  const traitRows = await db
    .select()
    .from(traits)
    .where(
      inArray(
        traits.modelId,
        rows.map((row) => row.id),
      ),
    );
  return rows.map((row) => ({
    ...row,
    traits: traitRows.filter((trait) => trait.modelId === row.id),
  }));
}

/** Models not yet ready or failed, in every account, least recently updated first (for the cron). */
export async function unfinishedModels(db: Db, limit: number): Promise<ModelRecord[]> {
  const rows = await db
    .select()
    .from(steerableModels)
    .where(inArray(steerableModels.status, UNFINISHED_STATUSES))
    .orderBy(steerableModels.updatedAt)
    .limit(limit);
  return withTraits(db, rows);
}
