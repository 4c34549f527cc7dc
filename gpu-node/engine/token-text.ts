// Turning token ids back into text. Pieces are bytes: a multi-byte character can be split across
// tokens, so streamed text is decoded incrementally and a partial character waits for its rest.
import type { NativeModel } from "./native.ts";

export class TokenTextDecoder {
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly model: NativeModel) {}

  /** The text this token completes (may be "" while a character is incomplete). */
  push(token: number): string {
    return this.decoder.decode(this.model.tokenToPiece(token, false), { stream: true });
  }

  /** Whatever is left, with an incomplete character replaced. */
  flush(): string {
    return this.decoder.decode();
  }
}

export function detokenize(model: NativeModel, tokens: Iterable<number>, special = false): string {
  const decoder = new TextDecoder("utf-8");
  let text = "";
  for (const token of tokens) {
    text += decoder.decode(model.tokenToPiece(token, special), { stream: true });
  }
  return text + decoder.decode();
}
