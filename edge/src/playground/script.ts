// The playground's script, served as is (no build step): it calls the public API with the key the
// user typed, kept in localStorage. Plain JavaScript without template literals, as it lives in one.
export const PLAYGROUND_SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "steer.apiKey";
const POLL_MS = 1000;
let baseModel = null;

async function api(path, init = {}) {
  const headers = { authorization: "Bearer " + $("key").value.trim() };
  if (init.body) headers["content-type"] = "application/json";
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.error?.message ?? response.status + " " + response.statusText);
  }
  return response;
}

async function loadBaseModel() {
  const list = await (await api("/v1/models")).json();
  baseModel = list.data[0]?.id ?? null;
  $("base-model").textContent = baseModel ?? "(no GPU node serves a model)";
}

function addTrait() {
  $("traits").append($("trait-template").content.cloneNode(true));
}

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

function controlDimensions() {
  const dimensions = {};
  for (const row of document.querySelectorAll(".trait")) {
    const field = (name) => row.querySelector("[name=" + name + "]").value;
    const name = field("name").trim();
    if (!name) continue;
    dimensions[name] = {
      positive_examples: lines(field("positive")),
      negative_examples: lines(field("negative")),
    };
  }
  return dimensions;
}

async function createModel() {
  const body = JSON.stringify({ model_label: baseModel, control_dimensions: controlDimensions() });
  const model = await (await api("/v1/steerable-models", { method: "POST", body })).json();
  $("steer").hidden = true;
  $("status-box").hidden = false;
  $("model-id").textContent = model.id;
  await watchUntilTrained(model);
}

async function watchUntilTrained(model) {
  while (model.status === "pending" || model.status === "training") {
    $("status").textContent = model.status;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    model = await (await api("/v1/steerable-models/" + model.id)).json();
  }
  $("status").textContent = model.status + (model.failure_reason ? ": " + model.failure_reason : "");
  if (model.status === "ready") showSliders(model);
}

/** A slider per trait, from -2 to 2 (the multipliers that steer usefully). */
function showSliders(model) {
  const rows = Object.keys(model.control_dimensions).map((trait) => {
    const row = document.createElement("label");
    row.className = "slider";
    const input = Object.assign(document.createElement("input"), {
      type: "range", min: "-2", max: "2", step: "0.1", value: "0", name: trait,
    });
    const shown = document.createElement("output");
    shown.textContent = "0";
    input.addEventListener("input", () => { shown.textContent = input.value; });
    row.append(trait, input, shown);
    return row;
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
    max_tokens: Number($("max-tokens").value),
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

/** Runs a button's action with the button disabled, showing any error. */
function onClick(id, action) {
  $(id).addEventListener("click", async () => {
    $("error").textContent = "";
    $(id).disabled = true;
    try {
      await action();
    } catch (error) {
      $("error").textContent = error.message;
    } finally {
      $(id).disabled = false;
    }
  });
}

$("key").value = localStorage.getItem(KEY_STORAGE) ?? "";
$("key").addEventListener("change", () => {
  localStorage.setItem(KEY_STORAGE, $("key").value.trim());
  loadBaseModel().catch((error) => { $("error").textContent = error.message; });
});
onClick("add-trait", async () => addTrait());
onClick("create-model", createModel);
onClick("generate", generate);
addTrait();
if ($("key").value) loadBaseModel().catch((error) => { $("error").textContent = error.message; });
`;
