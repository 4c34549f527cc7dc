// A trait's extraction, as the edge asks a GPU node for it, and the check every model to be trained
// passes before it is stored: each of its traits' requests must be one a node takes (POST
// /v1/extractions/validate: the same checks as submitting it, tokens and limits included). A
// model the edge accepts is then one that trains, and one that would not is a 400 naming the
// caller's own field, with nothing stored. A trait whose examples are still to be generated is
// checked with stand-ins for them, as many and as long as the generator may write. A node always reads the request: it holds less than the
// body that made the model, which the edge's own limit (MAX_JSON_BODY_BYTES, what a node reads)
// has already bounded.
import { MAX_GENERATED_PERSONA_CHARS } from "../../../shared/limits.ts";
import type { ExtractionRequest } from "../../../shared/node-api/extractions.ts";
import { validateExtraction } from "../nodes/extractions.ts";
import type { FieldOf, NodePool } from "../nodes/pool.ts";
import type { NewModel, TraitDefinition } from "./models.ts";

/**
 * What a model's traits train with alike: its openers, template and layers (null: the node's
 * defaults, which choose the layers by measurement).
 */
export type Recipe = Pick<NewModel, "promptList" | "template" | "layers">;

/** A trait's persona pairs, the i-th positive with the i-th negative. */
export interface Examples {
  positive: string[];
  negative: string[];
}

/**
 * The original recipe (steering-api's and repeng's), which is the node's persona mode: the i-th
 * positive and negative examples are a persona pair, put into the model's template inside its chat
 * template, and every token-prefix of every opener (the model's prompt_list) starts the reply.
 */
export function extractionRequest(recipe: Recipe, examples: Examples): ExtractionRequest {
  return {
    personas: {
      positive: examples.positive,
      negative: examples.negative,
      template: recipe.template ?? undefined,
      openers: recipe.promptList ?? undefined,
    },
    layers: recipe.layers ?? undefined,
  };
}

/**
 * For a trait, given as examples or to be generated: a node's param (personas.positive[3], say) ->
 * the field of the caller's request.
 */
export type TraitFieldOf = (trait: string, generated: boolean) => FieldOf;

/**
 * Refuses a model some trait of which no node would train: each trait still to train (one with no
 * vector yet) is validated by a node, in order, the first refusal thrown. A node that cannot be
 * reached is the pool's 503, as when no node can list the base models.
 */
export async function checkTraining(
  pool: NodePool,
  model: Recipe & Pick<NewModel, "dimensions" | "baseModel">,
  fieldOf: TraitFieldOf,
): Promise<void> {
  for (const [trait, dimension] of Object.entries(model.dimensions)) {
    if (dimension.vectorHash) continue;
    const generated = toGenerate(dimension);
    const examples = generated
      ? standIns(generated)
      : { positive: dimension.positive_examples, negative: dimension.negative_examples };
    const request = extractionRequest(model, examples);
    await validateExtraction(pool, request, fieldOf(trait, !!generated), model.baseModel);
  }
}

/** The pairs a trait's examples are to be generated as; null when it has its examples. */
function toGenerate(dimension: TraitDefinition): number | null {
  return dimension.positive_examples.length === 0 ? (dimension.pairs ?? null) : null;
}

/**
 * Stand-ins for `pairs` generated persona pairs, each persona as long as the generator may write
 * one, in words of a token each: what they make with the openers (pairs, tokens, the context) is
 * what the generated ones will make, as near as can be known before they are written.
 */
function standIns(pairs: number): Examples {
  const persona = "x ".repeat(MAX_GENERATED_PERSONA_CHARS / 2).trim();
  const side = Array.from({ length: pairs }, () => persona);
  return { positive: side, negative: side };
}
