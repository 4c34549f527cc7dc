// A judge the operator configures instead of the base model: any OpenAI-compatible chat endpoint
// (`steer serve --judge-url URL --judge-model NAME`, the key in STEER_JUDGE_API_KEY). Asked for
// logprobs, it scores as the base model does, by the expectation over the score tokens among its
// first token's top alternatives; an endpoint that returns none is read by the number it answers.
import { ApiError } from "../../shared/http/api-error.ts";
import {
  expectedScore,
  type Judge,
  type JudgeAspect,
  type JudgedAnswer,
  type JudgeOptions,
  judgePrompt,
} from "./judge.ts";

export interface EndpointJudgeOptions {
  /** The API's base URL, as the openai clients take it (`https://api.openai.com/v1`). */
  url: string;
  model: string;
  apiKey?: string;
}

/** Requests in flight at once: an endpoint's rate limits are its own, so a few at a time. */
const CONCURRENCY = 8;

/** The most alternatives OpenAI returns per token. */
const TOP_LOGPROBS = 20;

interface ChatReply {
  choices?: {
    message?: { content?: string | null };
    logprobs?: {
      content?: { top_logprobs?: { token: string; logprob: number }[] }[] | null;
    } | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export class EndpointJudge implements Judge {
  readonly kind = "endpoint";
  readonly model: string;
  private readonly endpoint: string;

  constructor(private readonly options: EndpointJudgeOptions) {
    this.model = options.model;
    this.endpoint = `${options.url.replace(/\/+$/, "")}/chat/completions`;
  }

  async score(aspect: JudgeAspect, answers: readonly JudgedAnswer[], options: JudgeOptions = {}) {
    const scores = new Array<number>(answers.length);
    const usage = { promptTokens: 0, completionTokens: 0 };
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (let i = next++; i < answers.length; i = next++) {
        const reply = await this.ask(
          judgePrompt(aspect, answers[i] as JudgedAnswer),
          options.signal,
        );
        scores[i] = scoreOf(reply, i);
        usage.promptTokens += reply.usage?.prompt_tokens ?? 0;
        usage.completionTokens += reply.usage?.completion_tokens ?? 0;
        options.onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, answers.length) }, worker));
    return { scores, usage };
  }

  private async ask(content: string, signal: AbortSignal | undefined): Promise<ChatReply> {
    const body = {
      model: this.model,
      messages: [{ role: "user", content }],
      max_tokens: 4,
      temperature: 0,
      logprobs: true,
      top_logprobs: TOP_LOGPROBS,
    };
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      signal?.throwIfAborted();
      throw judgeError(
        `the judge at ${this.endpoint} could not be reached: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);
      throw judgeError(`the judge at ${this.endpoint} answered ${response.status}: ${detail}`);
    }
    return (await response.json()) as ChatReply;
  }
}

/** The expected score from the first token's top logprobs, else the number the reply starts with. */
function scoreOf(reply: ChatReply, index: number): number {
  const choice = reply.choices?.[0];
  const top = choice?.logprobs?.content?.[0]?.top_logprobs ?? [];
  const fromLogprobs = expectedScore((score) => {
    const matching = top.filter((t) => t.token.trim() === String(score)).map((t) => t.logprob);
    return matching.length > 0 ? Math.max(...matching) : undefined;
  });
  if (fromLogprobs !== null) return fromLogprobs;
  const text = choice?.message?.content ?? "";
  const number = /^\s*(\d+(?:\.\d+)?)/.exec(text)?.[1];
  if (number !== undefined && Number(number) <= 10) return Number(number);
  throw judgeError(
    `the judge's reply to answer ${index} holds no score from 0 to 10: ${JSON.stringify(text.slice(0, 100))}`,
  );
}

function judgeError(message: string): ApiError {
  return new ApiError(502, message, "judge_failed");
}
