// A described trait's persona pairs: the generator is asked for them, its answers read and
// filtered (usable-pairs.ts); when they hold fewer usable pairs than asked, it is asked once more
// for the rest. Too few after that retry (less than half of those asked) fails the job with a
// reason that says how many were usable and what was dropped.
import { ApiError } from "../../shared/http/api-error.ts";
import { GENERATION_FAILED, type PersonaPair } from "../../shared/node-api/datasets.ts";
import type { TokenUsage } from "../endpoint/chat-endpoint.ts";
import type { PairGenerator } from "./generator.ts";
import { UsablePairs } from "./usable-pairs.ts";

/** The first ask, and the retry. */
const ROUNDS = 2;

export interface GenerateOptions {
  signal?: AbortSignal;
  /** Called with each round's tokens, as they are spent. */
  onUsage?: (usage: TokenUsage) => void;
}

export async function generatePairs(
  generator: PairGenerator,
  request: { description: string; pairs: number },
  options: GenerateOptions = {},
): Promise<PersonaPair[]> {
  const { description, pairs: asked } = request;
  const usable = new UsablePairs(asked);
  for (let round = 0; round < ROUNDS && usable.size < asked; round++) {
    const count = asked - usable.size;
    const written = await generator.write({ description, count, round }, options.signal);
    options.onUsage?.(written.usage);
    for (const answer of written.answers) usable.addAnswer(answer.text, answer.count);
  }
  const needed = Math.ceil(asked / 2);
  if (usable.size < needed) {
    throw new ApiError(
      502,
      `the generator (${generator.model}) wrote ${usable.size} usable persona pairs of the ` +
        `${asked} asked, after a retry; at least ${needed} are needed. Dropped: ` +
        `${usable.droppedSummary()}`,
      GENERATION_FAILED,
    );
  }
  return usable.pairs();
}
