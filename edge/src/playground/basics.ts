// What every step of the playground's script uses: its elements by id, the public API called with
// the key the user typed, errors shown on the page, buttons that run an action, polling, and the
// checks of what was typed. Served as is (/playground/basics.js); plain JavaScript without template
// literals, as it lives in one.
export const BASICS_SCRIPT = String.raw`
export const $ = (id) => document.getElementById(id);

/** How long to wait before reading again something under way: a model training, an evaluation. */
const POLL_MS = 1000;

export function pollPause() {
  return new Promise((resolve) => setTimeout(resolve, POLL_MS));
}

export async function api(path, init = {}) {
  const headers = { authorization: "Bearer " + $("key").value.trim() };
  if (init.body) headers["content-type"] = "application/json";
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.error?.message ?? response.status + " " + response.statusText);
  }
  return response;
}

/** Runs an action, showing what went wrong; the error it replaces is gone (its cause retried). */
export async function run(action) {
  $("error").textContent = "";
  try {
    await action();
  } catch (error) {
    $("error").textContent = error.message;
  }
}

/** Runs a button's action with the button disabled. */
export function onClick(id, action) {
  $(id).addEventListener("click", async () => {
    $(id).disabled = true;
    await run(action);
    $(id).disabled = false;
  });
}

/** A textarea's non-blank lines, trimmed. */
export function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** A number field's value, checked against its own bounds before anything is sent. */
export function wholeNumber(input, name) {
  if (!input.checkValidity()) {
    throw new Error(name + " is a whole number from " + input.min + " to " + input.max + ".");
  }
  return Number(input.value);
}
`;
