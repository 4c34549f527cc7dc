// A whole chat completion put together from the node's stream. The edge asks the node for a stream
// even when its client wants the answer whole: a node that dies midway has sent what it made so
// far, and the answer is metered for it as a stream would be (node-stream.ts).
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatFinishReason,
  CompletionUsage,
} from "../../../shared/openai/chat.ts";
import type { NodeStream } from "./node-stream.ts";

/** Reads the stream to its end; throws, as NodeStream.read does, when it was cut short. */
export async function wholeAnswer(node: NodeStream): Promise<ChatCompletion> {
  const answer = new Answer();
  for (let events = await node.read(); events !== null; events = await node.read()) {
    for (const { chunk } of events) if (chunk !== "done") answer.add(chunk);
  }
  return answer.completion();
}

/** The chunks' text, finish reason and usage, under the first chunk's id. */
class Answer {
  private first: ChatCompletionChunk | null = null;
  private content = "";
  private finishReason: ChatFinishReason | null = null;
  private usage: CompletionUsage | null = null;

  add(chunk: ChatCompletionChunk): void {
    this.first ??= chunk;
    for (const choice of chunk.choices) {
      this.content += choice.delta.content ?? "";
      this.finishReason = choice.finish_reason ?? this.finishReason;
    }
    this.usage = chunk.usage ?? this.usage;
  }

  completion(): ChatCompletion {
    const { first, finishReason, usage } = this;
    if (!first || !finishReason || !usage) throw new Error("the stream ended without its finish");
    return {
      id: first.id,
      object: "chat.completion",
      created: first.created,
      model: first.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: this.content },
          finish_reason: finishReason,
        },
      ],
      usage,
    };
  }
}
