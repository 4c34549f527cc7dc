// The four ways the same load is served: the engine in-process and `steer serve` over loopback
// HTTP, each unsteered and with every client steering by its own vector. A scenario sends one
// request for a client and times it.
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { Steering } from "../../gpu-node/engine/steering.ts";
import type { ChatCompletionChunk, ChatMessage } from "../../shared/openai/chat.ts";
import { type RequestTiming, stopwatch } from "./load.ts";

export interface Scenario {
  name: string;
  send(client: number): Promise<RequestTiming>;
}

export interface Load {
  /** What client i asks. */
  messages: (client: number) => ChatMessage[];
  maxTokens: number;
}

export function engineScenario(
  name: string,
  engine: Engine,
  load: Load,
  steeringOf: (client: number) => Steering,
): Scenario {
  return {
    name,
    async send(client) {
      const watch = stopwatch();
      const events = engine.generate({
        messages: load.messages(client),
        maxNewTokens: load.maxTokens,
        sampling: { temperature: 0 },
        steering: steeringOf(client),
      });
      for await (const event of events) {
        if (event.type === "text") watch.text();
        else return watch.end(event.usage.completionTokens);
      }
      throw new Error("generation ended without an end event");
    },
  };
}

/** Streams from `steer serve` at `url`; `steeringOf(client)` is the request's `steering` field. */
export function httpScenario(
  name: string,
  url: string,
  load: Load,
  steeringOf: (client: number) => Record<string, number>,
): Scenario {
  return {
    name,
    async send(client) {
      const watch = stopwatch();
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          messages: load.messages(client),
          max_tokens: load.maxTokens,
          temperature: 0,
          steering: steeringOf(client),
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      if (!response.ok || !response.body) throw new Error(`the node answered ${response.status}`);
      let tokens: number | undefined;
      for await (const chunk of serverSentEvents(response.body)) {
        if (chunk.choices[0]?.delta.content) watch.text();
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
      if (tokens === undefined) throw new Error("the stream ended without usage");
      return watch.end(tokens);
    },
  };
}

/** The JSON chunks of an OpenAI-style event stream, up to [DONE]. */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ChatCompletionChunk> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const bytes of body) {
    buffered += decoder.decode(bytes, { stream: true });
    const events = buffered.split("\n\n");
    buffered = events.pop() ?? "";
    for (const event of events) {
      const data = event.replace(/^data: /, "");
      if (data === "[DONE]") return;
      yield JSON.parse(data) as ChatCompletionChunk;
    }
  }
}
