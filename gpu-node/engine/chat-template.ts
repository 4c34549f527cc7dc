// Chat prompts rendered with the model's own Jinja template (from the GGUF), as Hugging Face's
// tokenizer would render it: llama.cpp's built-in templates only approximate the real ones.
import { Template } from "@huggingface/jinja";
import type { ChatMessage } from "../../shared/openai/chat.ts";
import { EngineError } from "./errors.ts";

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    source: string,
    private readonly specialTokens: { bos: string; eos: string },
  ) {
    this.template = new Template(source);
  }

  /** The prompt text, special tokens spelled out, ready for the assistant's turn. */
  render(messages: readonly ChatMessage[]): string {
    if (messages.length === 0) {
      throw new EngineError("invalid_request", "messages must not be empty", "messages");
    }
    return this.template.render({
      messages,
      add_generation_prompt: true,
      bos_token: this.specialTokens.bos,
      eos_token: this.specialTokens.eos,
    });
  }
}
