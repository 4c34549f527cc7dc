// Response headers the GPU node adds for the edge.

/**
 * On a streamed answer, the prompt's length in tokens. The usage chunk comes last, and never
 * arrives when the stream is cut short; whoever meters the stream still knows what the prompt cost.
 */
export const PROMPT_TOKENS_HEADER = "x-steer-prompt-tokens";
