// A local server playing an OpenAI-compatible chat endpoint, as an operator's judge or generator
// would be (`--judge-url`, `--generator-url`): it keeps every request it gets, and answers each as
// the test says, in OpenAI's wire format or with an error.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface EndpointRequest {
  authorization?: string;
  body: Record<string, unknown> & { messages: { content: string }[] };
}

/** What the endpoint answers a request with: a status (default 200) and a JSON body. */
export type EndpointReply = (request: EndpointRequest) => { status?: number; body: unknown };

export interface FakeChatEndpoint {
  /** Its base URL, as the openai clients take it (…/v1). */
  url: string;
  requests: EndpointRequest[];
  reply: EndpointReply;
  close(): Promise<void>;
}

export async function startChatEndpoint(): Promise<FakeChatEndpoint> {
  const endpoint: FakeChatEndpoint = {
    url: "",
    requests: [],
    reply: () => ({ status: 500, body: { error: { message: "no reply set" } } }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      const received = { authorization: request.headers.authorization, body: JSON.parse(text) };
      endpoint.requests.push(received);
      const { status = 200, body } = endpoint.reply(received);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return endpoint;
}

/** A chat completion answering `content`, with its first token's top logprobs when given. */
export function chatCompletion(
  content: string,
  top?: [token: string, probability: number][],
  usage = { prompt_tokens: 50, completion_tokens: 1 },
) {
  return {
    choices: [
      {
        message: { role: "assistant", content },
        logprobs: top
          ? {
              content: [
                {
                  token: content,
                  logprob: 0,
                  top_logprobs: top.map(([token, p]) => ({ token, logprob: Math.log(p) })),
                },
              ],
            }
          : null,
      },
    ],
    usage,
  };
}
