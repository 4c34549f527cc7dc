// The playground's traits: the create form's rows, each made from contrasting examples or from a
// description ("describe it", whose persona pairs a generator writes), and the review of a model's
// generated pairs, which the form can take back as examples to correct and create anew. Generated
// pairs are model output: set as text, never parsed as markup. Served as is (/playground/traits.js);
// plain JavaScript without template literals, as it lives in one.
export const TRAITS_SCRIPT = String.raw`
import { $, lines, wholeNumber } from "./basics.js";

/** A new row in the create form, showing what its source asks for. */
export function addTrait() {
  $("traits").append($("trait-template").content.cloneNode(true));
  const row = $("traits").lastElementChild;
  row.querySelector("[name=source]").addEventListener("change", () => showSource(row));
  showSource(row);
  return row;
}

/** Shows the fields of the row's source (examples, or a description), hides the other's. */
function showSource(row) {
  const source = row.querySelector("[name=source]").value;
  for (const field of row.querySelectorAll("[data-source]")) field.hidden = field.dataset.source !== source;
}

/** The browser checks each name against the rule (the input's pattern) before anything is sent. */
export function checkTraitNames() {
  for (const input of document.querySelectorAll(".trait [name=name]")) {
    if (!input.checkValidity()) {
      input.focus();
      throw new Error(JSON.stringify(input.value) + ": " + input.title);
    }
  }
}

/** The form's traits as the API takes them: examples, or a description and the pairs to write. */
export function controlDimensions() {
  const dimensions = {};
  for (const row of document.querySelectorAll(".trait")) {
    const field = (name) => row.querySelector("[name=" + name + "]");
    const name = field("name").value.trim();
    if (!name) continue;
    dimensions[name] = field("source").value === "description"
      ? { description: field("description").value.trim(), pairs: wholeNumber(field("pairs"), "Persona pairs") }
      : { positive_examples: lines(field("positive").value), negative_examples: lines(field("negative").value) };
  }
  return dimensions;
}

/** The model's generated pairs, per trait, under its description; hidden when it has none. */
export function showGenerated(model) {
  const generated = Object.entries(model.control_dimensions).filter(([, trait]) => trait.generated);
  const shown = generated.map(([name, trait]) => {
    const figure = document.createElement("figure");
    figure.dataset.trait = name;
    const caption = Object.assign(document.createElement("figcaption"), {
      textContent: name + ": " + trait.description + " (" + trait.positive_examples.length + " of " + trait.pairs + " pairs)",
    });
    const rows = trait.positive_examples.map((positive, i) => {
      const row = document.createElement("tr");
      for (const text of [positive, trait.negative_examples[i]]) row.append(Object.assign(document.createElement("td"), { textContent: text }));
      return row;
    });
    const table = document.createElement("table");
    table.append(header(), ...rows);
    figure.append(caption, table);
    return figure;
  });
  $("generated-pairs").replaceChildren(...shown);
  $("generated").hidden = !generated.some(([, trait]) => trait.positive_examples.length > 0);
}

function header() {
  const row = document.createElement("tr");
  for (const text of ["Positive", "Negative"]) row.append(Object.assign(document.createElement("th"), { textContent: text }));
  return row;
}

/** Fills the create form with the model's traits as examples, to be corrected and created anew. */
export function editAsExamples(model) {
  $("traits").replaceChildren();
  for (const [name, trait] of Object.entries(model.control_dimensions)) {
    const row = addTrait();
    row.querySelector("[name=name]").value = name;
    row.querySelector("[name=positive]").value = trait.positive_examples.join("\n");
    row.querySelector("[name=negative]").value = trait.negative_examples.join("\n");
  }
  $("model-label").value = model.model_label;
  $("create").scrollIntoView();
}
`;
