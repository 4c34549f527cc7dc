// The marketplace: the built-in presets and those users published, listed together, installed
// into an account as a steerable model of its own, published from a ready model.
import { and, eq } from "drizzle-orm";
import { ApiError } from "../../../shared/http/api-error.ts";
import type { MarketplacePreset, MarketplacePresetDeleted, PublishPreset } from "../api/presets.ts";
import { accounts, publishedPresets } from "../db/schema.ts";
import { traitQuality } from "../evaluations/quality.ts";
import type { Backend } from "../lib/backend.ts";
import { requireServedModel } from "../nodes/base-models.ts";
import { checkTraining } from "../training/extraction-request.ts";
import {
  insertModel,
  type ModelOwner,
  type ModelRecord,
  requireModel,
} from "../training/models.ts";
import { cachedBaseModels, cachedPresetVectors } from "./cache.ts";
import { BUILT_IN_AUTHOR, BUILT_IN_PRESETS, type BuiltInPreset, builtInPreset } from "./catalog.ts";

type PublishedRow = typeof publishedPresets.$inferSelect;

export async function listPresets(backend: Backend): Promise<MarketplacePreset[]> {
  const cached = await cachedBaseModels(backend.bucket);
  const builtIns = BUILT_IN_PRESETS.map((preset) =>
    builtInListing(preset, cached.get(preset.name) ?? []),
  );
  const published = await backend.db.select().from(publishedPresets).orderBy(publishedPresets.name);
  return [...builtIns, ...published.map(publishedListing)];
}

/**
 * A copy of the preset in the account, on `baseModel` when one is asked for. A published preset
 * comes with its vectors, so its copy is ready at once, on the base model they were made for; a
 * built-in one installs on any base model the nodes serve (the first they list by default), ready
 * at once when its vectors for that model are cached, else pending, once a node has validated its
 * training as a created model's is: the caller trains it (reconcileLater).
 */
export async function installPreset(
  backend: Backend,
  owner: ModelOwner,
  name: string,
  baseModel?: string | null,
): Promise<ModelRecord> {
  const builtIn = builtInPreset(name);
  if (builtIn) return installBuiltIn(backend, owner, builtIn, baseModel);
  const [published] = await backend.db
    .select()
    .from(publishedPresets)
    .where(eq(publishedPresets.name, name));
  if (!published) {
    throw new ApiError(404, `no preset ${JSON.stringify(name)}`, "preset_not_found", "name");
  }
  if (baseModel && baseModel !== published.baseModel) {
    throw new ApiError(
      400,
      `base_model: the preset ${name} was made for ${published.baseModel}, and installs on it only`,
      "base_model_mismatch",
      "base_model",
    );
  }
  const dimensions = published.traits.map((trait) => [
    trait.name,
    {
      positive_examples: trait.positiveExamples,
      negative_examples: trait.negativeExamples,
      vectorHash: trait.vectorHash,
    },
  ]);
  return insertModel(backend.db, {
    accountId: owner.accountId,
    keyId: owner.keyId,
    label: name,
    baseModel: published.baseModel,
    preset: name,
    dimensions: Object.fromEntries(dimensions),
  });
}

async function installBuiltIn(
  backend: Backend,
  owner: ModelOwner,
  preset: BuiltInPreset,
  asked?: string | null,
): Promise<ModelRecord> {
  const baseModel = (await requireServedModel(backend.pool, asked, "base_model")).id;
  const traitNames = Object.keys(preset.traits);
  const cached = await cachedPresetVectors(backend.bucket, baseModel, preset.name, traitNames);
  const dimensions = Object.fromEntries(
    Object.entries(preset.traits).map(([trait, examples]) => [
      trait,
      { ...examples, vectorHash: cached?.[trait] },
    ]),
  );
  // Traits to train are checked as a created model's are; what a node refuses of a built-in
  // dataset is the base model's doing (its context, its chat template).
  await checkTraining(backend.pool, { baseModel, dimensions }, () => () => "base_model");
  return insertModel(backend.db, {
    accountId: owner.accountId,
    keyId: owner.keyId,
    label: preset.name,
    baseModel,
    preset: preset.name,
    dimensions,
  });
}

/** Publishes a ready model of the account's under a name no preset has yet. */
export async function publishPreset(
  backend: Backend,
  accountId: string,
  request: PublishPreset,
): Promise<MarketplacePreset> {
  if (builtInPreset(request.name)) throw nameTaken(request.name);
  const model = await requireModel(backend.db, accountId, request.model_id, "model_id");
  if (model.status !== "ready") {
    const message = `model_id: ${model.id} is ${model.status}; only a ready model can be published`;
    throw new ApiError(409, message, "model_not_ready", "model_id");
  }
  const [account] = await backend.db
    .select({ name: accounts.name })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  const [row] = await backend.db
    .insert(publishedPresets)
    .values({
      name: request.name,
      description: request.description,
      author: account?.name ?? accountId,
      accountId,
      baseModel: model.baseModel,
      traits: model.traits.map((trait) => ({
        name: trait.name,
        positiveExamples: trait.positiveExamples,
        negativeExamples: trait.negativeExamples,
        // A ready model's traits all have their vectors.
        vectorHash: trait.vectorHash ?? "",
        quality: trait.quality,
      })),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw nameTaken(request.name);
  return publishedListing(row);
}

/**
 * Takes a preset its caller published off the marketplace. Models installed from it stay: they are
 * copies. Built-in presets and other accounts' are not the caller's to remove (404, as unknown).
 */
export async function unpublishPreset(
  backend: Backend,
  accountId: string,
  name: string,
): Promise<MarketplacePresetDeleted> {
  const [row] = await backend.db
    .delete(publishedPresets)
    .where(and(eq(publishedPresets.name, name), eq(publishedPresets.accountId, accountId)))
    .returning({ name: publishedPresets.name });
  if (!row) {
    throw new ApiError(
      404,
      `you have published no preset named ${name}`,
      "preset_not_found",
      "name",
    );
  }
  return { name: row.name, object: "preset", deleted: true };
}

function builtInListing(preset: BuiltInPreset, baseModels: string[]): MarketplacePreset {
  return {
    object: "preset",
    name: preset.name,
    description: preset.description,
    traits: Object.keys(preset.traits),
    base_models: baseModels,
    author: BUILT_IN_AUTHOR,
    built_in: true,
    quality: {},
  };
}

function publishedListing(row: PublishedRow): MarketplacePreset {
  return {
    object: "preset",
    name: row.name,
    description: row.description,
    traits: row.traits.map((trait) => trait.name),
    base_models: [row.baseModel],
    author: row.author,
    built_in: false,
    quality: traitQuality(row.traits),
  };
}

function nameTaken(name: string): ApiError {
  return new ApiError(409, `name: a preset named ${name} exists already`, "preset_exists", "name");
}
