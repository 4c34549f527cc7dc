// A judge the operator configures instead of the base model: any OpenAI-compatible chat endpoint
// (`steer serve --judge-url URL --judge-model NAME`, the key in STEER_JUDGE_API_KEY). Asked for
// logprobs, it scores as the base model does, by the expectation over the score tokens among its
// first token's top alternatives; an endpoint that returns none is read by the number it answers.
import {
  ChatEndpoint,
  type ChatReply,
  contentOf,
  type EndpointOptions,
  usageOf,
} from "../endpoint/chat-endpoint.ts";
import {
  expectedScore,
  type Judge,
  type JudgeAspect,
  type JudgedAnswer,
  type JudgeOptions,
  judgePrompt,
} from "./judge.ts";

/** Requests in flight at once: an endpoint's rate limits are its own, so a few at a time. */
const CONCURRENCY = 8;

/** The most alternatives OpenAI returns per token. */
const TOP_LOGPROBS = 20;

export class EndpointJudge implements Judge {
  readonly kind = "endpoint";
  readonly model: string;
  private readonly endpoint: ChatEndpoint;

  constructor(options: EndpointOptions) {
    this.endpoint = new ChatEndpoint(options, { name: "judge", errorCode: "judge_failed" });
    this.model = this.endpoint.model;
  }

  async score(aspect: JudgeAspect, answers: readonly JudgedAnswer[], options: JudgeOptions = {}) {
    const scores = new Array<number>(answers.length);
    const usage = { promptTokens: 0, completionTokens: 0 };
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (let i = next++; i < answers.length; i = next++) {
        const content = judgePrompt(aspect, answers[i] as JudgedAnswer);
        const reply = await this.endpoint.ask(
          {
            messages: [{ role: "user", content }],
            max_tokens: 4,
            temperature: 0,
            logprobs: true,
            top_logprobs: TOP_LOGPROBS,
          },
          options.signal,
        );
        scores[i] = this.scoreOf(reply, i);
        const used = usageOf(reply);
        usage.promptTokens += used.promptTokens;
        usage.completionTokens += used.completionTokens;
        options.onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, answers.length) }, worker));
    return { scores, usage };
  }

  /** The expected score from the first token's top logprobs, else the number the reply starts with. */
  private scoreOf(reply: ChatReply, index: number): number {
    const top = reply.choices?.[0]?.logprobs?.content?.[0]?.top_logprobs ?? [];
    const fromLogprobs = expectedScore((score) => {
      const matching = top.filter((t) => t.token.trim() === String(score)).map((t) => t.logprob);
      return matching.length > 0 ? Math.max(...matching) : undefined;
    });
    if (fromLogprobs !== null) return fromLogprobs;
    const text = contentOf(reply);
    const number = /^\s*(\d+(?:\.\d+)?)/.exec(text)?.[1];
    if (number !== undefined && Number(number) <= 10) return Number(number);
    throw this.endpoint.error(
      `replied to answer ${index} with no score from 0 to 10: ${JSON.stringify(text.slice(0, 100))}`,
    );
  }
}
