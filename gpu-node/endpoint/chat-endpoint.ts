// An OpenAI-compatible chat endpoint the node's operator names for work the node's own model does
// by default: judging evaluations' answers (`--judge-url`), writing described traits' persona pairs
// (`--generator-url`). Its key comes from the environment (STEER_JUDGE_API_KEY,
// STEER_GENERATOR_API_KEY). A reply is read as OpenAI's chat completion; an endpoint that cannot be
// reached or answers an error fails the work with a 502 naming the endpoint and what it said.
import { ApiError } from "../../shared/http/api-error.ts";

export interface EndpointOptions {
  /** The API's base URL, as the openai clients take it (`https://api.openai.com/v1`). */
  url: string;
  model: string;
  apiKey?: string;
}

/** What the node reads of a chat completion. */
export interface ChatReply {
  choices?: {
    message?: { content?: string | null };
    logprobs?: {
      content?: { top_logprobs?: { token: string; logprob: number }[] }[] | null;
    } | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export class ChatEndpoint {
  readonly model: string;
  /** Its chat completions URL. */
  readonly url: string;

  constructor(
    private readonly options: EndpointOptions,
    /** What it is for, as its errors say ("judge"), and their code ("judge_failed"). */
    private readonly role: { name: string; errorCode: string },
  ) {
    this.model = options.model;
    this.url = `${options.url.replace(/\/+$/, "")}/chat/completions`;
  }

  /** POSTs `body` (the model added) and answers the reply; any failure is this endpoint's error. */
  async ask(body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatReply> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: this.model, ...body }),
        signal,
      });
    } catch (error) {
      signal?.throwIfAborted();
      throw this.error(`could not be reached: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);
      throw this.error(`answered ${response.status}: ${detail}`);
    }
    const reply = await response.json().catch(() => null);
    if (typeof reply !== "object" || reply === null) throw this.error("answered no JSON object");
    return reply as ChatReply;
  }

  /** A failure of the work this endpoint does, `problem` said of it ("answered 429: ..."). */
  error(problem: string): ApiError {
    return new ApiError(
      502,
      `the ${this.role.name} at ${this.url} ${problem}`,
      this.role.errorCode,
    );
  }
}

/** The tokens a reply says it used (an endpoint that says nothing used none, as far as we know). */
export function usageOf(reply: ChatReply): TokenUsage {
  return {
    promptTokens: reply.usage?.prompt_tokens ?? 0,
    completionTokens: reply.usage?.completion_tokens ?? 0,
  };
}

/** The text of a reply's first choice ("" when it has none). */
export function contentOf(reply: ChatReply): string {
  return reply.choices?.[0]?.message?.content ?? "";
}
