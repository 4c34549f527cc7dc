// A whole chat completion put together from the node's stream, for clients that did not ask to
// stream; a stream cut short is the node failing (502), not a shorter answer.
import { describe, expect, it } from "vitest";
import { readToEnd, WholeCompletion } from "../../edge/src/inference/whole-completion.ts";
import { ApiError } from "../../shared/http/api-error.ts";

const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1700000000, model: "m" };
const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

function chunks() {
  return [
    {
      ...head,
      choices: [{ index: 0, delta: { role: "assistant" as const }, finish_reason: null }],
    },
    { ...head, choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null }] },
    {
      ...head,
      choices: [{ index: 0, delta: { content: ", day" }, finish_reason: "length" as const }],
    },
    { ...head, choices: [], usage },
  ];
}

describe("WholeCompletion", () => {
  it("answers what the node would have answered unstreamed", () => {
    const whole = new WholeCompletion();
    for (const chunk of chunks()) whole.add(chunk);
    expect(whole.completion()).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1700000000,
      model: "m",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello, day" },
          finish_reason: "length",
        },
      ],
      usage,
    });
  });

  it("is a 502 when the stream ended before its usage", () => {
    const whole = new WholeCompletion();
    for (const chunk of chunks().slice(0, 2)) whole.add(chunk);
    expect(() => whole.completion()).toThrow(ApiError);
    expect(() => whole.completion()).toThrow(/stopped before the answer was whole/);
  });
});

describe("readToEnd", () => {
  it("is a 502 when the stream fails", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new Error("connection reset")),
    });
    await expect(readToEnd(failing, new AbortController().signal)).rejects.toMatchObject({
      status: 502,
      code: "node_error",
    });
  });

  it("cancels the stream when the signal aborts", async () => {
    let cancelled: unknown;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1)),
      cancel: (reason) => {
        cancelled = reason;
      },
    });
    const client = new AbortController();
    const read = readToEnd(endless, client.signal);
    client.abort();
    await read;
    expect(cancelled).toBe("the client left");
  });
});
