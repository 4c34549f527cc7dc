// Headers of the GPU node's contract that carry what an OpenAI body has no field for. The edge
// sends the request ones; the node adds PROMPT_TOKENS_HEADER and LOAD_HEADER to its answers.

/** The request's id, chosen by its sender (the edge's x-request-id): the node logs under it. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * On a generation request, an id its sender chose, by which it can stop the generation: POST
 * /v1/generations/{id}/cancel. The answer then ends at once, with the text made so far and its
 * usage (a stream with its finish and usage chunks). The edge uses it when the client of a whole
 * answer leaves.
 */
export const GENERATION_ID_HEADER = "x-steer-generation-id";

/**
 * On a generation request, the name the answer gives its model, in place of the node's own: the
 * edge sends the model its client named (a steerable model's id), as OpenAI echoes `model`.
 */
export const MODEL_ALIAS_HEADER = "x-steer-model-alias";

/**
 * On a streamed generation request ("1"): end the stream with the usage chunk, as
 * stream_options.include_usage does, but without a `usage: null` in every other chunk. The edge
 * meters every stream by that chunk, and drops it when its own client did not ask for usage.
 */
export const METERING_HEADER = "x-steer-metering";

/**
 * On a streamed answer, the prompt's length in tokens. The usage chunk comes last, and never
 * arrives when the stream is cut short; whoever meters the stream still knows what the prompt cost.
 */
export const PROMPT_TOKENS_HEADER = "x-steer-prompt-tokens";

/**
 * On every answer of the node (and on /readyz), its load as it answers: free sequence slots, the
 * requests waiting for one, and the vectors it holds, as a count and a 256-bit filter of their ids
 * (shared/node-api/load.ts): `free=6, queued=0, vectors=12, filter=<43 base64url characters>`.
 * The edge routes by it.
 */
export const LOAD_HEADER = "x-steer-load";
