// The playground's Evaluate step, for the open model's traits: a small form, an evaluation started
// (POST /v1/evaluations) and read every second until it ends (GET /v1/evaluations/{id}), then its
// result: the chart, the recommended range (also marked on the trait's slider, with what limited
// it), the anti-steerable rate, the MMLU note, and the answers at a chosen multiplier. Answers are
// model output: every text from the API is set as text, never parsed as markup. Served as is
// (/playground/evaluation.js); plain JavaScript without template literals, as it lives in one.
export const EVALUATION_SCRIPT = String.raw`
import { $, api, lines, onClick, pollPause, wholeNumber } from "./basics.js";
import { evaluationChart } from "./chart.js";

const STAGES = {
  generating: "answering the prompts",
  judging: "judging the answers",
  mmlu: "asking MMLU questions",
  kl: "measuring the drift from the unsteered model",
};

/** What ends the recommended range on one side (the result's limited_by), past that end. */
const LIMITS = {
  coherence: "coherence falls past its margin",
  mmlu: "MMLU accuracy falls past its margin",
  tested_range: "no multiplier was tried",
};

/**
 * Opens the step on a ready model, its sliders shown: its traits to choose from, no result yet, and
 * each evaluated trait's recommended range (from its quality card, the latest evaluation's) marked.
 */
export function openEvaluateStep(model) {
  $("evaluate").dataset.modelId = model.id;
  const traits = Object.keys(model.control_dimensions).map((trait) => new Option(trait));
  $("evaluation-trait").replaceChildren(...traits);
  for (const [trait, card] of Object.entries(model.quality)) markOnSlider(trait, card.recommended);
  $("evaluation-status-line").hidden = true;
  $("evaluation-result").hidden = true;
  $("evaluate").hidden = false;
}

/** Closes the step; an evaluation being watched stops being read. */
export function closeEvaluateStep() {
  $("evaluate").hidden = true;
  delete $("evaluate").dataset.modelId;
}

function evaluationRequest() {
  const prompts = lines($("evaluation-prompts").value);
  return {
    model: $("evaluate").dataset.modelId,
    trait: $("evaluation-trait").value,
    multipliers: multipliers($("evaluation-multipliers")),
    ...(prompts.length > 0 ? { prompts } : {}),
    max_tokens: wholeNumber($("evaluation-max-tokens"), "Max tokens"),
    mmlu: { questions: wholeNumber($("evaluation-mmlu-questions"), "MMLU questions") },
  };
}

/** The multipliers typed, separated by commas or spaces, each within the field's bound. */
function multipliers(input) {
  const bound = Number(input.dataset.bound);
  const values = input.value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((value) => !(Math.abs(value) <= bound))) {
    input.focus();
    throw new Error("Multipliers are numbers from -" + bound + " to " + bound + ", separated by commas.");
  }
  return values;
}

/** Starts an evaluation and shows its progress until it ends, then its result. */
async function evaluate() {
  const request = evaluationRequest();
  $("evaluation-result").hidden = true;
  const body = JSON.stringify(request);
  let evaluation = await (await api("/v1/evaluations", { method: "POST", body })).json();
  while (evaluation.status === "queued" || evaluation.status === "running") {
    showProgress(evaluation);
    await pollPause();
    if ($("evaluate").dataset.modelId !== request.model) return;
    evaluation = await (await api("/v1/evaluations/" + encodeURIComponent(evaluation.id))).json();
  }
  if ($("evaluate").dataset.modelId !== request.model) return;
  showProgress(evaluation);
  if (evaluation.status === "succeeded") showResult(evaluation.result, request.trait);
}

function showProgress(evaluation) {
  const { stage, done, total } = evaluation.progress;
  $("evaluation-id").textContent = evaluation.id;
  $("evaluation-status").textContent =
    evaluation.status +
    (evaluation.status === "running" && stage ? ": " + (STAGES[stage] ?? stage) : "") +
    (evaluation.failure_reason ? ": " + evaluation.failure_reason : "");
  $("evaluation-progress").max = Math.max(total, 1);
  $("evaluation-progress").value = done;
  $("evaluation-progress").textContent = done + " of " + total;
  $("evaluation-status-line").hidden = false;
}

function showResult(result, trait) {
  const range = result.recommended;
  const effect = " Across it the trait score changes by " + signed(range.trait_effect) + ".";
  $("evaluation-range").textContent = rangeSentence(range) + effect;
  $("evaluation-anti-steerable").textContent =
    "Anti-steerable prompts (their trait score falls as the multiplier rises): " +
    Math.round(result.anti_steerable_rate * 100) + "%.";
  $("evaluation-mmlu-note").textContent = result.mmlu.note ? "MMLU: " + result.mmlu.note + "." : "";
  $("evaluation-chart").replaceChildren(evaluationChart(result));
  markOnSlider(trait, range);
  showAnswerChoice(result);
  $("evaluation-result").hidden = false;
}

/** The range and what ends it on either side, in one sentence (the slider says it too). */
function rangeSentence(range) {
  return (
    "Recommended multipliers: " + range.min + " to " + range.max + ". Below " + range.min + ", " +
    LIMITS[range.limited_by.min] + "; above " + range.max + ", " + LIMITS[range.limited_by.max] + "."
  );
}

function signed(value) {
  return (value < 0 ? "" : "+") + value.toFixed(1);
}

/** Shades the range on the trait's slider (its ends as fractions of the slider's span). */
function markOnSlider(trait, range) {
  const slider = $("sliders").querySelector("input[name='" + CSS.escape(trait) + "']");
  const min = Number(slider.min);
  const max = Number(slider.max);
  const fraction = (value) => (Math.min(max, Math.max(min, value)) - min) / (max - min);
  const band = slider.parentElement.querySelector(".recommended");
  band.style.setProperty("--from", fraction(range.min));
  band.style.setProperty("--to", fraction(range.max));
  band.dataset.min = range.min;
  band.dataset.max = range.max;
  band.hidden = false;
  const note = $("sliders").querySelector(".recommended-note[data-trait='" + CSS.escape(trait) + "']");
  note.textContent = rangeSentence(range);
  note.hidden = false;
}

/** A multiplier to choose (the recommended range's top one first) and its answers. */
function showAnswerChoice(result) {
  const { min, max } = result.recommended;
  const choice = $("evaluation-multiplier");
  choice.replaceChildren(
    ...result.multipliers.map((row) => {
      const recommended = row.multiplier >= min && row.multiplier <= max ? " (recommended)" : "";
      return new Option(row.multiplier + recommended, String(row.multiplier));
    }),
  );
  choice.value = String(max);
  choice.onchange = () => showAnswers(result);
  showAnswers(result);
}

function showAnswers(result) {
  const row = result.multipliers.find((r) => String(r.multiplier) === $("evaluation-multiplier").value);
  $("evaluation-answers").replaceChildren(
    ...row.answers.map((answer) => answerItem(answer, result.prompts[answer.prompt_index])),
  );
}

function answerItem(answer, prompt) {
  const item = document.createElement("li");
  const scores =
    "Trait score " + answer.trait_score.toFixed(1) + " (judge " + answer.judge_score.toFixed(1) +
    "), coherence " + answer.coherence.toFixed(1);
  item.append(
    Object.assign(document.createElement("p"), { className: "prompt", textContent: prompt }),
    Object.assign(document.createElement("pre"), { textContent: answer.text }),
    Object.assign(document.createElement("p"), { className: "hint", textContent: scores }),
  );
  return item;
}

onClick("start-evaluation", evaluate);
`;
