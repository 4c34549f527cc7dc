// One evaluation of a control vector: answers to the prompts at every multiplier, decoded in shared
// batches (each multiplier is just another steering to row steering, so all of them decode
// together), then the judge's trait and coherence scores, MMLU accuracy and KL per multiplier.
// planEvaluation checks a request against the model before any work; runEvaluation does the work.
import type { ControlVector } from "../../shared/control-vector.ts";
import type { MmluSet } from "../../shared/evaluation/mmlu.ts";
import type { EvaluationMeasurements } from "../../shared/evaluation/result.ts";
import {
  DEFAULT_EVALUATION_TOKENS,
  evaluatedMultipliers,
} from "../../shared/evaluation/settings.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import type {
  NodeEvaluationJob,
  NodeEvaluationRequest,
} from "../../shared/node-api/evaluations.ts";
import { collectCompletion, type Engine } from "../engine/engine.ts";
import type { Steering } from "../engine/steering.ts";
import { type Judge, judgePrompt } from "./judge.ts";
import { meanKl, nextTokenDistributions } from "./kl.ts";
import { letterTokens, mmluAnswers, mmluPromptTokens } from "./mmlu.ts";
import { DEFAULT_EVALUATION_PROMPTS, NEUTRAL_TEXT } from "./prompts.ts";

export interface EvaluationPlan {
  vector: ControlVector;
  judge: Judge;
  /** What the judge scores the answers for. */
  descriptor: string;
  multipliers: number[];
  prompts: string[];
  maxTokens: number;
  mmlu: (MmluSet & { tokens: number[][] }) | null;
}

export type Stage = NonNullable<NodeEvaluationJob["progress"]["stage"]>;

export interface EvaluationProgress {
  stage: Stage;
  done: number;
  total: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EvaluationProgress) => void;
  /** Called with the tokens each step decoded (answers, judge prompts, MMLU prompts, KL passes). */
  onUsage?: (promptTokens: number, completionTokens: number) => void;
}

/**
 * The evaluation a request asks for, checked against the model: every prompt must leave room for
 * its answer, and every judge prompt and MMLU question must fit the context (400 naming the field).
 */
export function planEvaluation(
  engine: Engine,
  judge: Judge,
  request: NodeEvaluationRequest,
  vector: ControlVector,
): EvaluationPlan {
  const descriptor = request.description ?? request.trait;
  const prompts = [...(request.prompts ?? DEFAULT_EVALUATION_PROMPTS)];
  const maxTokens = request.max_tokens ?? DEFAULT_EVALUATION_TOKENS;
  checkRoom(engine, judge, { descriptor, prompts, maxTokens }, request.description !== undefined);
  return {
    vector,
    judge,
    descriptor,
    multipliers: evaluatedMultipliers(request.multipliers),
    prompts,
    maxTokens,
    mmlu: request.mmlu ? planMmlu(engine, request.mmlu) : null,
  };
}

/**
 * Every prompt must leave room for its answer, and the base-model judge must read the prompt and
 * a whole answer inside its instructions (the trait's and the coherence one). The descriptor is
 * checked alone first, so that a descriptor too long for any prompt is named, not the prompt.
 */
function checkRoom(
  engine: Engine,
  judge: Judge,
  { descriptor, prompts, maxTokens }: Pick<EvaluationPlan, "descriptor" | "prompts" | "maxTokens">,
  described: boolean,
): void {
  const room = engine.contextSize - maxTokens;
  const judged = (prompt: string) =>
    judge.kind !== "base_model"
      ? 0
      : Math.max(
          ...[{ kind: "trait", descriptor } as const, { kind: "coherence" } as const].map(
            (aspect) =>
              engine.model.tokenizeChat([
                { role: "user", content: judgePrompt(aspect, { prompt, answer: "" }) },
              ]).length,
          ),
        );
  const overflow = (param: string, what: string) =>
    new ApiError(
      400,
      `${what} and a ${maxTokens}-token answer do not fit the ${engine.contextSize}-token context`,
      "context_length_exceeded",
      param,
    );
  if (judged("") > room) {
    throw overflow(
      described ? "description" : "trait",
      "the judge's instruction with this descriptor",
    );
  }
  prompts.forEach((prompt, i) => {
    const asked = engine.model.tokenizeChat([{ role: "user", content: prompt }]).length;
    if (Math.max(asked, judged(prompt)) > room) {
      throw overflow(`prompts[${i}]`, "this prompt inside the judge's instruction");
    }
  });
}

function planMmlu(engine: Engine, mmlu: MmluSet) {
  letterTokens(engine);
  const tokens = mmluPromptTokens(engine, mmlu);
  tokens.forEach((prompt, i) => {
    if (prompt.length >= engine.contextSize) {
      throw new ApiError(
        400,
        `this question's prompt is ${prompt.length} tokens; the context holds ${engine.contextSize}`,
        "context_length_exceeded",
        `mmlu.questions[${i}]`,
      );
    }
  });
  return { ...mmlu, tokens };
}

export async function runEvaluation(
  engine: Engine,
  plan: EvaluationPlan,
  options: RunOptions = {},
): Promise<EvaluationMeasurements> {
  const { multipliers, prompts, mmlu, judge } = plan;
  const cells = multipliers.length * prompts.length;
  const steps = cells * 3 + multipliers.length * ((mmlu?.questions.length ?? 0) + 1);
  let done = 0;
  const progress = (stage: Stage, count = 1) => {
    done += count;
    options.onProgress?.({ stage, done, total: steps });
  };
  const steeringAt = (multiplier: number) => steeringOf(plan.vector, multiplier);

  const answers = await generateAnswers(engine, plan, {
    ...options,
    onAnswer: () => progress("generating"),
  });
  const judged = answers.flatMap((row) =>
    row.map((answer, p) => ({ prompt: prompts[p] as string, answer })),
  );
  const judgeStep = async (aspect: Parameters<Judge["score"]>[0]) => {
    let before = 0;
    const { scores, usage } = await judge.score(aspect, judged, {
      signal: options.signal,
      onProgress: (count) => {
        progress("judging", count - before);
        before = count;
      },
    });
    options.onUsage?.(usage.promptTokens, usage.completionTokens);
    return scores;
  };
  const traitScores = await judgeStep({ kind: "trait", descriptor: plan.descriptor });
  const coherence = await judgeStep({ kind: "coherence" });

  const mmluCorrect: (number | null)[] = [];
  for (const multiplier of multipliers) {
    mmluCorrect.push(
      mmlu ? await mmluScore(engine, mmlu, steeringAt(multiplier), options, progress) : null,
    );
  }
  const kl = await klPerMultiplier(engine, multipliers, steeringAt, options, () => progress("kl"));

  return {
    descriptor: plan.descriptor,
    judge: { kind: judge.kind, model: judge.model },
    prompts,
    max_tokens: plan.maxTokens,
    mmlu: mmlu ? { questions: mmlu.questions.length, shots: mmlu.shots } : null,
    multipliers: multipliers.map((multiplier, m) => ({
      multiplier,
      answers: (answers[m] as string[]).map((text, p) => ({
        text,
        judge_score: traitScores[m * prompts.length + p] as number,
        coherence: coherence[m * prompts.length + p] as number,
      })),
      mmlu_correct: mmluCorrect[m] as number | null,
      kl: kl[m] as number,
    })),
  };
}

/**
 * Every multiplier's answer to every prompt (rows by multiplier), greedy, all submitted at once:
 * the engine's lanes batch them whatever their steering.
 */
export async function generateAnswers(
  engine: Engine,
  plan: EvaluationPlan,
  options: RunOptions & { onAnswer?: () => void } = {},
): Promise<string[][]> {
  const rows = plan.multipliers.map((multiplier) =>
    Promise.all(
      plan.prompts.map(async (prompt) => {
        const completion = await collectCompletion(
          engine.generate({
            messages: [{ role: "user", content: prompt }],
            maxNewTokens: plan.maxTokens,
            steering: steeringOf(plan.vector, multiplier),
            signal: options.signal,
          }),
        );
        options.onUsage?.(completion.usage.promptTokens, completion.usage.completionTokens);
        options.onAnswer?.();
        return completion.text;
      }),
    ),
  );
  const answers = await Promise.all(rows);
  options.signal?.throwIfAborted();
  return answers;
}

async function mmluScore(
  engine: Engine,
  mmlu: NonNullable<EvaluationPlan["mmlu"]>,
  steering: Steering,
  options: RunOptions,
  progress: (stage: Stage, count: number) => void,
): Promise<number> {
  let before = 0;
  const answers = await mmluAnswers(engine, mmlu.tokens, steering, {
    signal: options.signal,
    onProgress: (count) => {
      progress("mmlu", count - before);
      before = count;
    },
  });
  options.onUsage?.(
    mmlu.tokens.reduce((sum, t) => sum + t.length, 0),
    0,
  );
  return answers.filter((answer, i) => answer === mmlu.questions[i]?.answer).length;
}

async function klPerMultiplier(
  engine: Engine,
  multipliers: readonly number[],
  steeringAt: (multiplier: number) => Steering,
  options: RunOptions,
  onPass: () => void,
): Promise<number[]> {
  const tokens = engine.model.tokenize(NEUTRAL_TEXT);
  const unsteered = await nextTokenDistributions(engine, tokens, [], options.signal);
  const kl: number[] = [];
  for (const multiplier of multipliers) {
    const steered =
      multiplier === 0
        ? unsteered
        : await nextTokenDistributions(engine, tokens, steeringAt(multiplier), options.signal);
    kl.push(meanKl(steered, unsteered));
    options.onUsage?.(tokens.length, 0);
    onPass();
  }
  return kl;
}

/** The steering of one multiplier: none at 0, so the baseline is exactly the unsteered model. */
function steeringOf(vector: ControlVector, multiplier: number): Steering {
  return multiplier === 0 ? [] : [{ vector, multiplier }];
}
