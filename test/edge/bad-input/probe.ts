// The edge's bad-input suite (test/support/probe.ts): each file of this folder takes a group of
// public routes and sends it at least a hundred generated requests that get one thing wrong,
// exactly as a client would send them, to the Worker. Each must be a 4xx naming the field at
// fault, never a 5xx or a hang, and the Worker and its GPU node must serve a valid request after.
//
// A file per group: workerd's test harness wraps the Worker's entry point anew on each call, and
// a few thousand calls in one file overflow its stack.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { Probe, type ProbeOptions } from "../../support/probe.ts";
import { DAY_PROMPT } from "../steered-model.ts";

export { GROUP_TIMEOUT_MS } from "../../support/probe.ts";

/** Sends to the Worker, as `token` unless a case says otherwise. */
export function workerProbe(token: string, options?: ProbeOptions) {
  return new Probe(fetchWorker, token, options);
}

/** A valid request still works afterwards: the Worker and its GPU node came through. */
export async function expectServing(key: string, model: string): Promise<void> {
  const response = await fetchWorker("/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: DAY_PROMPT, max_tokens: 4 }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

function fetchWorker(path: string, init: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`https://edge.test${path}`, init));
}
