// Response headers the GPU node adds for the edge.

/**
 * On a streamed answer, the prompt's length in tokens. The usage chunk comes last, and never
 * arrives when the stream is cut short; whoever meters the stream still knows what the prompt cost.
 */
export const PROMPT_TOKENS_HEADER = "x-steer-prompt-tokens";

/**
 * On a generation request, an id its sender chose, by which it can stop the generation: POST
 * /v1/generations/{id}/cancel. A whole (unstreamed) answer then comes at once, with the text made
 * so far and its usage. The edge uses it when the client of a whole answer leaves.
 */
export const GENERATION_ID_HEADER = "x-steer-generation-id";
