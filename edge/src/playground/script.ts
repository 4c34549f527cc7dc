// The playground's script, served as is (no build step): it calls the public API with the key the
// user typed, kept in localStorage. The open model's id is in the URL (#model=ID), so a reload
// reopens it. The create form's traits (examples, or "describe it") and the review of generated
// pairs are a module of their own (traits.ts), and so are its Evaluate step (evaluation.ts) and what
// every step uses (basics.ts). Plain JavaScript without template literals, as it lives in one.
export const PLAYGROUND_SCRIPT = String.raw`
import { $, api, onClick, pollPause, run, wholeNumber } from "./basics.js";
import { closeEvaluateStep, openEvaluateStep } from "./evaluation.js";
import { addTrait, checkTraitNames, controlDimensions, editAsExamples, showGenerated } from "./traits.js";

/** A model's statuses on its way to ready: pending, its examples generating, training. */
const UNFINISHED = ["pending", "generating", "training"];

const KEY_STORAGE = "steer.apiKey";
let baseModel = null;
/** The model on screen; a watch of any other stops. */
let openModelId = null;

/** All the key opens: the base model, the caller's models, and the model the URL names. */
async function loadForKey() {
  await loadBaseModel();
  await Promise.all([loadModels(), openFromUrl()]);
}

async function loadBaseModel() {
  const list = await (await api("/v1/models")).json();
  baseModel = list.data[0]?.id ?? null;
  $("base-model").textContent = baseModel ?? "(no GPU node serves a model)";
}

/** The caller's newest models, each a link that opens it. */
async function loadModels() {
  const list = await (await api("/v1/steerable-models?limit=" + $("models").dataset.limit)).json();
  const items = list.data.map(modelItem);
  if (items.length === 0) items.push(Object.assign(document.createElement("li"), { textContent: "None yet." }));
  $("models").replaceChildren(...items);
  markOpenModel();
}

function modelItem(model) {
  const link = Object.assign(document.createElement("a"), {
    href: "#model=" + encodeURIComponent(model.id),
    textContent: model.model_label + (model.model === model.model_label ? "" : " on " + model.model),
  });
  const status = Object.assign(document.createElement("span"), { className: "status", textContent: model.status });
  const id = Object.assign(document.createElement("code"), { textContent: model.id });
  const item = document.createElement("li");
  item.dataset.modelId = model.id;
  item.append(link, " (" + Object.keys(model.control_dimensions).join(", ") + "): ", status, " ", id);
  return item;
}

function markOpenModel() {
  for (const item of $("models").children) {
    item.toggleAttribute("aria-current", item.dataset.modelId === openModelId);
  }
}

function modelIdInUrl() {
  const match = /^#model=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Shows the model the URL names: its status, polled until it is trained, then its sliders. */
async function openFromUrl() {
  openModelId = modelIdInUrl();
  markOpenModel();
  $("steer").hidden = true;
  closeEvaluateStep();
  $("status-box").hidden = openModelId === null;
  if (openModelId === null) return;
  $("model-id").textContent = openModelId;
  $("status").textContent = "";
  await watchUntilTrained(await getModel(openModelId));
}

async function getModel(id) {
  return (await api("/v1/steerable-models/" + encodeURIComponent(id))).json();
}

async function watchUntilTrained(model) {
  while (UNFINISHED.includes(model.status)) {
    showStatus(model);
    await pollPause();
    if (model.id !== openModelId) return;
    model = await getModel(model.id);
  }
  if (model.id !== openModelId) return;
  showStatus(model);
  if (model.status !== "ready") return;
  showSliders(model);
  openEvaluateStep(model);
}

function showStatus(model) {
  $("status").textContent = model.status + (model.failure_reason ? ": " + model.failure_reason : "");
  showGenerated(model);
  const listed = $("models").querySelector("[data-model-id='" + CSS.escape(model.id) + "'] .status");
  if (listed) listed.textContent = model.status;
}

/** Creates the model, lists it, and opens it (through the URL, as a reload would). */
async function createModel() {
  checkTraitNames();
  const request = {
    model_label: $("model-label").value.trim() || $("model-label").defaultValue,
    model: baseModel,
    control_dimensions: controlDimensions(),
  };
  const body = JSON.stringify(request);
  const model = await (await api("/v1/steerable-models", { method: "POST", body })).json();
  await loadModels();
  location.hash = "model=" + encodeURIComponent(model.id);
}

/**
 * A slider per trait, from -2 to 2 (the multipliers that steer usefully), with room under its track
 * and below it for the recommended range an evaluation finds (evaluation.js marks it).
 */
function showSliders(model) {
  const rows = Object.keys(model.control_dimensions).flatMap((trait) => {
    const row = document.createElement("label");
    row.className = "slider";
    const input = Object.assign(document.createElement("input"), {
      type: "range", min: "-2", max: "2", step: "0.1", value: "0", name: trait,
    });
    const track = Object.assign(document.createElement("span"), { className: "track" });
    const recommended = Object.assign(document.createElement("span"), { className: "recommended", hidden: true });
    track.append(input, recommended);
    const shown = document.createElement("output");
    shown.textContent = "0";
    input.addEventListener("input", () => { shown.textContent = input.value; });
    row.append(trait, track, shown);
    const note = Object.assign(document.createElement("p"), { className: "hint recommended-note", hidden: true });
    note.dataset.trait = trait;
    return [row, note];
  });
  $("sliders").replaceChildren(...rows);
  $("steer").dataset.modelId = model.id;
  $("steer").hidden = false;
}

/** The steered model and the base model, on the same request, streamed side by side. */
async function generate() {
  const steering = Object.fromEntries(
    [...document.querySelectorAll("#sliders input")].map((input) => [input.name, Number(input.value)]),
  );
  const request = {
    messages: [{ role: "user", content: $("prompt").value }],
    max_tokens: wholeNumber($("max-tokens"), "Max tokens"),
    stream: true,
  };
  await Promise.all([
    streamInto($("steered"), { ...request, model: $("steer").dataset.modelId, steering }),
    streamInto($("unsteered"), { ...request, model: baseModel }),
  ]);
}

/** Appends each streamed chunk's text to "out"; its data-state says when the stream is over. */
async function streamInto(out, request) {
  out.textContent = "";
  out.dataset.state = "streaming";
  try {
    const response = await api("/v1/chat/completions", { method: "POST", body: JSON.stringify(request) });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const events = (pending + value).split("\n\n");
      pending = events.pop();
      for (const event of events) {
        const data = event.replace(/^data: /, "");
        if (data === "[DONE]") continue;
        out.textContent += JSON.parse(data).choices[0]?.delta?.content ?? "";
      }
    }
  } finally {
    out.dataset.state = "done";
  }
}

$("key").value = localStorage.getItem(KEY_STORAGE) ?? "";
// Editing the key is fixing what a refused request complained of.
$("key").addEventListener("input", () => { $("error").textContent = ""; });
$("key").addEventListener("change", () => {
  localStorage.setItem(KEY_STORAGE, $("key").value.trim());
  run(loadForKey);
});
window.addEventListener("hashchange", () => run(openFromUrl));
onClick("add-trait", async () => addTrait());
onClick("create-model", createModel);
onClick("edit-generated", async () => editAsExamples(await getModel(openModelId)));
onClick("generate", generate);
addTrait();
if ($("key").value) run(loadForKey);
`;
