// Starting an evaluation: the vector of a ready model's trait, and the GPU node's request made of
// the caller's settings and MMLU's subset, submitted to a node at once, so that what a node
// refuses of it (a prompt past the context, say) is the caller's 400 naming the field, with
// nothing stored. Once a node has its job, it is stored; later jobs, if that node loses it, are
// the reconciler's (reconcile.ts).
import { marginsOf } from "../../../shared/evaluation/settings.ts";
import { ApiError } from "../../../shared/http/api-error.ts";
import { MAX_JSON_BODY_BYTES } from "../../../shared/limits.ts";
import type { NodeEvaluationRequest } from "../../../shared/node-api/evaluations.ts";
import type { CreateEvaluation } from "../api/evaluations.ts";
import type { Caller } from "../env.ts";
import { notReady, traitVector } from "../inference/target.ts";
import type { Backend } from "../lib/backend.ts";
import { newId } from "../lib/ids.ts";
import { cancelEvaluation, submitEvaluation } from "../nodes/evaluations.ts";
import { requireModel } from "../training/models.ts";
import { mmluForEvaluation } from "./mmlu.ts";
import { type EvaluationRow, insertEvaluation } from "./records.ts";

export async function startEvaluation(
  backend: Backend,
  caller: Caller,
  request: CreateEvaluation,
): Promise<EvaluationRow> {
  const { db, pool, bucket } = backend;
  const { vectorId, baseModel } = await traitVectorOf(backend, caller.accountId, request);
  const { model, trait, mmlu, max_coherence_drop, max_mmlu_drop, ...settings } = request;
  const mmluPart = await mmluForEvaluation(bucket, mmlu);
  const nodeRequest = { vector_id: vectorId, trait, ...settings, mmlu: mmluPart.mmlu };
  checkSize(nodeRequest);
  const job = await submitEvaluation(pool, bucket, nodeRequest, baseModel, requestField);
  try {
    return await insertEvaluation(
      db,
      bucket,
      {
        id: newId("eval"),
        accountId: caller.accountId,
        keyId: caller.keyId,
        modelId: model,
        trait,
        status: "queued",
        progress: { stage: null, done: 0, total: 0 },
        jobNode: job.node,
        jobId: job.jobId,
        attempts: 1,
        error: null,
        unavailableSince: null,
        retryAt: null,
      },
      {
        request: nodeRequest,
        baseModel,
        margins: marginsOf({ max_coherence_drop, max_mmlu_drop }),
        mmluNote: mmluPart.note,
        measurements: null,
        ratings: [],
      },
    );
  } catch (error) {
    // Nobody would ever read its result.
    await cancelEvaluation(pool, job);
    throw error;
  }
}

/**
 * The vector of the request's trait, and its model's base model: the model must be the caller's
 * (404) and ready (409).
 */
async function traitVectorOf(
  backend: Backend,
  accountId: string,
  request: CreateEvaluation,
): Promise<{ vectorId: string; baseModel: string }> {
  const model = await requireModel(backend.db, accountId, request.model, "model");
  if (model.status !== "ready")
    throw notReady(model.id, model.status, model.failureReason, "model");
  const vectors = new Map(
    model.traits.flatMap((trait) => (trait.vectorHash ? [[trait.name, trait.vectorHash]] : [])),
  );
  const vectorId = traitVector(model.id, vectors, request.trait, "trait");
  return { vectorId, baseModel: model.baseModel };
}

/**
 * A node reads at most MAX_JSON_BODY_BYTES: MMLU's questions at their most fit with room to spare
 * (shared/limits.ts), but long prompts, and questions of the longest subjects, may not.
 */
function checkSize(request: NodeEvaluationRequest): void {
  const bytes = new TextEncoder().encode(JSON.stringify(request)).length;
  if (bytes <= MAX_JSON_BODY_BYTES) return;
  const field = request.mmlu ? "mmlu.questions" : "prompts";
  const message = `${field}: the evaluation's request to a GPU node would be ${bytes} bytes, over the ${MAX_JSON_BODY_BYTES} it reads; ask fewer`;
  throw new ApiError(400, message, "evaluation_too_large", field);
}

/** A node's param, of the node's request, as the field of the caller's request it came from. */
function requestField(param: string): string {
  if (param === "vector_id") return "model";
  if (param === "mmlu.shots" || param.startsWith("mmlu.examples")) return "mmlu.shots";
  if (param.startsWith("mmlu")) return "mmlu.questions";
  // The settings carry the same names in both: trait, description, prompts[i], multipliers...
  return param;
}
