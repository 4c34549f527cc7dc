// The edge's pages in headless Chromium (Debian's, driven by playwright-core). The playground: a
// user types the key, describes a trait, waits for the model to be ready, moves its slider, and
// sees the steered text beside a different unsteered one; the model stays listed and open across a
// reload, an error goes once its cause is fixed, and the page says the trait-name rule before
// anything is sent. The API reference: it renders the document, loading nothing from elsewhere.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TRAIT_NAME_RULE } from "../../edge/src/api/steerable-models.ts";
import { CONCEPT_WORDS } from "../../gpu-node/test-model/index.ts";
import { type Stack, startStack } from "./stack.ts";
import { TRAIN_TIMEOUT_MS } from "./steerable.ts";

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
    .getByText("Create a steerable model from contrastive examples per trait")
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
