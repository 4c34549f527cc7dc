// A whole chat completion put together from the node's stream, for clients that did not ask to
// stream; a stream cut short is the node failing (502), not a shorter answer.
import { describe, expect, it } from "vitest";
import { readWhole, WholeCompletion } from "../../edge/src/inference/whole-completion.ts";
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

/** The chunks as the node sends them: server-sent events, in pieces that split events. */
function sseBody(events: object[], pieceSize = 7): ReadableStream<Uint8Array> {
  const text = `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("")}data: [DONE]\n\n`;
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + pieceSize));
      at += pieceSize;
    },
  });
}

describe("readWhole", () => {
  it("puts the node's stream together, metered as completed", async () => {
    const read = readWhole(sseBody(chunks()), 5, new AbortController().signal);
    expect((await read.completion).choices[0]?.message.content).toBe("Hello, day");
    expect(await read.measured).toEqual({
      promptTokens: 5,
      completionTokens: 3,
      outcome: "completed",
    });
  });

  it("is a 502 when the stream fails, metered as failed with what came", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new Error("connection reset")),
    });
    const read = readWhole(failing, 5, new AbortController().signal);
    await expect(read.completion).rejects.toMatchObject({ status: 502, code: "node_error" });
    expect(await read.measured).toEqual({
      promptTokens: 5,
      completionTokens: 0,
      outcome: "failed",
    });
  });

  it("cancels the node's stream when the client leaves, metered as cancelled", async () => {
    let cancelled: unknown;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1)),
      cancel: (reason) => {
        cancelled = reason;
      },
    });
    const client = new AbortController();
    const read = readWhole(endless, 5, client.signal);
    client.abort();
    expect(await read.measured).toMatchObject({ promptTokens: 5, outcome: "cancelled" });
    expect(cancelled).toBe("the client left");
    await expect(read.completion).rejects.toThrow(ApiError);
  });
});
