// The edge's pages in headless Chromium (Debian's, driven by playwright-core). The playground: a
// user types the key, gives a trait's examples, waits for the model to be ready, moves its slider,
// and sees the steered text beside a different unsteered one; the model stays listed and open
// across a reload, an error goes once its cause is fixed, and the page says the trait-name rule
// before anything is sent. A described trait: its generated pairs shown, and taken back into the
// form as examples to correct. Its Evaluate step: an evaluation run from the page ends in a chart,
// the recommended range on the chart and the trait's slider, and the answers of a chosen
// multiplier. The API reference: it renders the document, loading nothing from elsewhere.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type SteerableModel, TRAIT_NAME_RULE } from "../../edge/src/api/steerable-models.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/index.ts";
import type { EvaluationResult } from "../../shared/evaluation/result.ts";
import { type Stack, startStack } from "./stack.ts";
import { readyCheerful, TRAIN_TIMEOUT_MS } from "./steerable.ts";

/** An evaluation of the test model at three multipliers, two prompts and 8 tokens takes seconds. */
const EVALUATION_TIMEOUT_MS = 60_000;

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let stack: Stack;
let profile: string;
let browser: BrowserContext;
beforeAll(async () => {
  stack = await startStack();
  profile = await mkdtemp(path.join(tmpdir(), "steer-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

it("creates a model, trains it, and streams steered beside unsteered text", {
  timeout: TRAIN_TIMEOUT_MS + 60_000,
}, async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.edgeUrl}/playground`);
  // A wrong key is refused; the error goes once the key is right.
  await enterKey(page, "sk-steer-wrong");
  await expect.poll(() => page.textContent("#error")).not.toBe("");
  await enterKey(page, stack.apiKey);
  await expect.poll(() => page.textContent("#base-model")).toBe("steer-test");
  expect(await page.textContent("#error")).toBe("");

  // The rule for a trait's name is on the page, and a bad name is stopped before any request.
  expect((await page.textContent("#trait-rule"))?.toLowerCase()).toContain(TRAIT_NAME_RULE);
  await page.fill(".trait [name=name]", "1 cheerful");
  expect(await page.$eval(".trait [name=name]", (input) => input.matches(":invalid"))).toBe(true);
  await page.click("#create-model");
  expect((await page.textContent("#error"))?.toLowerCase()).toContain(TRAIT_NAME_RULE);

  await page.fill(".trait [name=name]", "cheerful");
  await page.fill(".trait [name=positive]", CONCEPT_WORDS.positive.join("\n"));
  await page.fill(".trait [name=negative]", CONCEPT_WORDS.negative.join("\n"));
  await page.click("#create-model");
  await page
    .locator("#status", { hasText: /^(ready|failed)/ })
    .waitFor({ timeout: TRAIN_TIMEOUT_MS });
  expect(await page.textContent("#status")).toBe("ready");
  expect(await page.textContent("#error")).toBe("");
  const modelId = await page.textContent("#model-id");
  expect(modelId).toMatch(/\S/);
  // Listed, as open and ready.
  const listed = page.locator(`#models [data-model-id="${modelId}"]`);
  expect(await listed.getAttribute("aria-current")).not.toBeNull();
  expect(await listed.locator(".status").textContent()).toBe("ready");

  // Max tokens has a bound of its own, checked before anything is sent.
  await page.fill("#max-tokens", "100000");
  await page.click("#generate");
  expect(await page.textContent("#error")).toContain("from 1 to 1024");

  await page.fill("#sliders input[name=cheerful]", "2");
  await page.fill("#max-tokens", "12");
  await page.click("#generate");
  await page.waitForSelector("#steered[data-state=done]");
  await page.waitForSelector("#unsteered[data-state=done]");
  expect(await page.textContent("#error")).toBe("");
  const steered = await page.textContent("#steered");
  const unsteered = await page.textContent("#unsteered");
  expect(steered).toBeTruthy();
  expect(unsteered).toBeTruthy();
  expect(steered).not.toBe(unsteered);
  // The key stays in the browser for the next visit.
  expect(await page.evaluate(() => localStorage.getItem("steer.apiKey"))).toBe(stack.apiKey);

  // A reload loses nothing: the model is listed and opened again, ready, with its slider.
  await page.reload();
  await page.locator("#status", { hasText: /^ready$/ }).waitFor();
  expect(await page.textContent("#model-id")).toBe(modelId);
  expect(await page.isVisible("#sliders input[name=cheerful]")).toBe(true);
  expect(await page.locator(`#models [data-model-id="${modelId}"]`).count()).toBe(1);
});

it("evaluates a trait: the chart, the recommended range on it and on the slider, the answers", {
  timeout: TRAIN_TIMEOUT_MS + EVALUATION_TIMEOUT_MS + 30_000,
}, async () => {
  const model = await readyCheerful(stack);
  const page = await browser.newPage();
  await page.goto(`${stack.edgeUrl}/playground`);
  await enterKey(page, stack.apiKey);
  await page.click(`#models [data-model-id="${model.id}"] a`);
  await page.locator("#status", { hasText: /^ready$/ }).waitFor();

  await page.selectOption("#evaluation-trait", "cheerful");
  await page.fill("#evaluation-multipliers", "-1, 1");
  await page.fill("#evaluation-prompts", "Tell me about your day.\nDescribe your street.");
  await page.fill("#evaluation-max-tokens", "8");
  await page.fill("#evaluation-mmlu-questions", "0");
  await page.click("#start-evaluation");
  await page
    .locator("#evaluation-status", { hasText: /^(succeeded|failed|cancelled)/ })
    .waitFor({ timeout: EVALUATION_TIMEOUT_MS });
  expect(await page.textContent("#evaluation-status")).toBe("succeeded");
  expect(await page.textContent("#error")).toBe("");
  // The page against what the API says of the same evaluation.
  const id = await page.textContent("#evaluation-id");
  const { result } = (await (await stack.call(`/v1/evaluations/${id}`)).json()) as {
    result: EvaluationResult;
  };
  const { min, max } = result.recommended;

  // A trait-score point per multiplier: the two asked and 0, the unsteered baseline.
  const points = page.locator("#evaluation-chart .series.trait-score .point");
  expect(
    await points.evaluateAll((all) => all.map((p) => p.getAttribute("data-multiplier"))),
  ).toEqual(["-1", "0", "1"]);
  // No MMLU questions: no MMLU series, and the note says why.
  expect(await page.locator("#evaluation-chart .series.mmlu").count()).toBe(0);
  expect(result.mmlu.note).toBeTruthy();
  expect(await page.textContent("#evaluation-mmlu-note")).toContain(result.mmlu.note);

  // The recommended range: shaded on the chart, marked under the slider, said with its limits.
  expect(await page.locator("#evaluation-chart .recommended rect").count()).toBe(1);
  const band = page.locator("#sliders .recommended");
  expect(await band.isVisible()).toBe(true);
  expect([await band.getAttribute("data-min"), await band.getAttribute("data-max")]).toEqual([
    String(min),
    String(max),
  ]);
  const note = await page.textContent("#sliders .recommended-note[data-trait=cheerful]");
  expect(note).toContain(`Recommended multipliers: ${min} to ${max}.`);

  // The answers at a chosen multiplier, each under its prompt.
  await page.selectOption("#evaluation-multiplier", "1");
  const answers = result.multipliers.find((row) => row.multiplier === 1)?.answers ?? [];
  expect(answers).toHaveLength(2);
  expect(await page.locator("#evaluation-answers pre").allTextContents()).toEqual(
    answers.map((answer) => answer.text),
  );
  expect(await page.locator("#evaluation-answers .prompt").allTextContents()).toEqual(
    result.prompts,
  );

  // The trait's quality card keeps its range marked when the model is opened again.
  await page.reload();
  await page.locator("#status", { hasText: /^ready$/ }).waitFor();
  expect(await band.getAttribute("data-max")).toBe(String(max));
  expect(await page.textContent("#sliders .recommended-note[data-trait=cheerful]")).toBe(note);
});

it("describes a trait: its pairs written by the generator, shown, and taken back to correct", {
  timeout: TRAIN_TIMEOUT_MS + 30_000,
}, async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.edgeUrl}/playground`);
  await enterKey(page, stack.apiKey);
  await expect.poll(() => page.textContent("#base-model")).toBe("steer-test");

  // Describing it hides the examples and asks for a description and a number of pairs.
  await page.selectOption(".trait [name=source]", "description");
  expect(await page.isVisible(".trait [name=positive]")).toBe(false);
  await page.fill(".trait [name=name]", "pirate");
  await page.fill(".trait [name=description]", "speaks like a pirate");
  await page.fill(".trait [name=pairs]", "2");
  await page.click("#create-model");
  await page
    .locator("#status", { hasText: /^(ready|failed)/ })
    .waitFor({ timeout: TRAIN_TIMEOUT_MS });
  expect(await page.textContent("#status")).toBe("ready");

  // The pairs the API shows, each in its row under the trait's description.
  const id = await page.textContent("#model-id");
  const model = (await (await stack.call(`/v1/steerable-models/${id}`)).json()) as SteerableModel;
  const { positive_examples: positives = [], negative_examples: negatives = [] } =
    model.control_dimensions.pirate ?? {};
  const figure = page.locator("#generated-pairs figure[data-trait=pirate]");
  expect(await figure.locator("figcaption").textContent()).toContain("speaks like a pirate");
  const cells = await figure.locator("td").allTextContents();
  expect(cells).toEqual(positives.flatMap((positive, i) => [positive, negatives[i]]));

  // Taken back into the form as examples, to correct and create anew.
  await page.click("#edit-generated");
  await expect.poll(() => page.inputValue(".trait [name=source]")).toBe("examples");
  expect(await page.inputValue(".trait [name=positive]")).toBe(positives.join("\n"));
  expect(await page.inputValue(".trait [name=negative]")).toBe(negatives.join("\n"));
});

it("wraps a long unbroken answer inside its box", async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.edgeUrl}/playground`);
  await page.$eval("#steer", (section) => section.removeAttribute("hidden"));
  await page.$eval("#steered", (out) => {
    out.textContent = "x".repeat(5000);
  });
  expect(await page.$eval("#steered", (out) => out.scrollWidth <= out.clientWidth)).toBe(true);
  const box = await page.locator("#steered").boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0);
});

it("renders the API reference from the Worker alone: no CDN, no fonts, nothing off this origin", async () => {
  const page = await browser.newPage();
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(stack.edgeUrl) && !/^(data|blob):/.test(url)) elsewhere.push(url);
  });
  await page.goto(`${stack.edgeUrl}/docs`);
  // Scalar lays out the document's operations by their summaries.
  await page
    .getByText("Create a steerable model from contrastive examples or a description per trait")
    .first()
    .waitFor();
  await page
    .getByText("OpenAI's chat completions, on a steerable model or a base model")
    .first()
    .waitFor();
  expect(elsewhere).toEqual([]);
});

/** Types a key as a user does: the field, then away from it. */
async function enterKey(page: Page, key: string): Promise<void> {
  await page.fill("#key", key);
  await page.press("#key", "Tab");
}
