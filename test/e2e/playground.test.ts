// The playground in headless Chromium (Debian's, driven by playwright-core): a user types the key,
// describes a trait, waits for the model to be ready, moves its slider, and sees the steered text
// beside a different unsteered one.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
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
  await page.fill("#key", stack.apiKey);
  await page.press("#key", "Tab");
  await expect.poll(() => page.textContent("#base-model")).toBe("steer-test");

  await page.fill(".trait [name=name]", "cheerful");
  await page.fill(".trait [name=positive]", CONCEPT_WORDS.positive.join("\n"));
  await page.fill(".trait [name=negative]", CONCEPT_WORDS.negative.join("\n"));
  await page.click("#create-model");
  await page
    .locator("#status", { hasText: /^(ready|failed)/ })
    .waitFor({ timeout: TRAIN_TIMEOUT_MS });
  expect(await page.textContent("#status")).toBe("ready");

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
});
