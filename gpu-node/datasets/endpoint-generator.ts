// A generator the operator configures instead of the base model: any OpenAI-compatible chat
// endpoint (`steer serve --generator-url URL --generator-model NAME`, the key in
// STEER_GENERATOR_API_KEY). Each round is one request for all the pairs it asks, its answer
// constrained by OpenAI's structured outputs (`response_format: json_schema`, strict) to the schema
// it is then read against; an endpoint that ignores the format is caught there, as malformed.
import {
  ChatEndpoint,
  contentOf,
  type EndpointOptions,
  usageOf,
} from "../endpoint/chat-endpoint.ts";
import { answerJsonSchema, generatorPrompt } from "./brief.ts";
import { GENERATION_TEMPERATURE, type PairGenerator, type PairsAsked } from "./generator.ts";

export class EndpointGenerator implements PairGenerator {
  readonly kind = "endpoint";
  readonly model: string;
  private readonly endpoint: ChatEndpoint;

  constructor(options: EndpointOptions) {
    this.endpoint = new ChatEndpoint(options, {
      name: "generator",
      errorCode: "generator_failed",
    });
    this.model = this.endpoint.model;
  }

  /** Any description within its schema's limits: the endpoint's context is its own to know. */
  check(): void {}

  async write({ description, count, round }: PairsAsked, signal?: AbortSignal) {
    const reply = await this.endpoint.ask(
      {
        messages: [{ role: "user", content: generatorPrompt(description, count) }],
        temperature: GENERATION_TEMPERATURE,
        seed: round,
        response_format: {
          type: "json_schema",
          json_schema: { name: "persona_pairs", strict: true, schema: answerJsonSchema(count) },
        },
      },
      signal,
    );
    return { answers: [{ text: contentOf(reply), count }], usage: usageOf(reply) };
  }
}
