// The sliding window behind steer_tokens_per_second, on a clock the test moves.
import { expect, it } from "vitest";
import { RateWindow } from "../../gpu-node/server/rate-window.ts";

it("averages what was added over the last seconds, forgetting older buckets", () => {
  let now = 0;
  const window = new RateWindow(10, () => now);
  expect(window.perSecond()).toBe(0);
  window.add(30);
  now = 5_500;
  window.add(20);
  window.add(10);
  now = 9_999;
  expect(window.perSecond()).toBe(6);
  now = 10_000; // second 0 has left the window
  expect(window.perSecond()).toBe(3);
  now = 25_000; // its bucket is reused for second 25
  window.add(40);
  expect(window.perSecond()).toBe(4);
});
