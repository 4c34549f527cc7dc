// Built-in presets' vectors, cached in R2 per base model: a small index object,
// presets/<base model>/<preset>.json, maps each trait to its vector's hash (the vectors themselves
// are in vectors/<hash>.gguf). The first install of a preset on a base model trains it; once that
// model is ready the index is written, and later installs are ready at once.
import { vectorKey } from "../nodes/vectors.ts";

const PREFIX = "presets/";

type TraitVectors = Record<string, string>;

function indexKey(baseModel: string, preset: string): string {
  // Base model ids may hold slashes (hf:user/repo:quant): one path segment each.
  return `${PREFIX}${encodeURIComponent(baseModel)}/${preset}.json`;
}

export async function cachePresetVectors(
  bucket: R2Bucket,
  baseModel: string,
  preset: string,
  vectors: TraitVectors,
): Promise<void> {
  await bucket.put(indexKey(baseModel, preset), JSON.stringify(vectors), {
    httpMetadata: { contentType: "application/json" },
  });
}

/** The preset's trait -> vector hash on `baseModel`, when every trait's vector is in R2. */
export async function cachedPresetVectors(
  bucket: R2Bucket,
  baseModel: string,
  preset: string,
  traitNames: readonly string[],
): Promise<TraitVectors | null> {
  const index = await bucket.get(indexKey(baseModel, preset));
  if (!index) return null;
  const vectors = await index.json<TraitVectors>();
  const hashes = traitNames.map((name) => vectors[name]);
  if (hashes.some((hash) => !hash)) return null;
  const stored = await Promise.all(hashes.map((hash) => bucket.head(vectorKey(hash as string))));
  return stored.every(Boolean) ? vectors : null;
}

/** Preset name -> the base models whose vectors for it are cached. */
export async function cachedBaseModels(bucket: R2Bucket): Promise<Map<string, string[]>> {
  const byPreset = new Map<string, string[]>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: PREFIX, cursor });
    for (const { key } of page.objects) {
      const [base, file] = key.slice(PREFIX.length).split("/");
      if (!base || !file?.endsWith(".json")) continue;
      const preset = file.slice(0, -".json".length);
      byPreset.set(preset, [...(byPreset.get(preset) ?? []), decodeURIComponent(base)]);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return byPreset;
}
