/**
 * The Llama 3 tokens made of JSON's punctuation and whitespace alone ("{", "}\n", "\":", "[\"",
 * ...), for the test model's planted habit of closing what it opens (weights.ts, point 6).
 * Tokens are in byte-level BPE spelling: JSON's punctuation is printable ASCII, spelled as
 * itself; a space is "Ġ", a newline "Ċ", a tab "ĉ", a carriage return "č".
 */
const WHITESPACE = "ĠĊĉč";
const CLOSING = '}]"';
const PUNCTUATION = `${CLOSING}{[:,`;

export interface JsonPunctuationTokens {
  /** Whose punctuation only closes: `}`, `]` or `"` (which both opens and closes a string). */
  closing: number[];
  /** The others: those that open an object or an array, or separate (`:` and `,`). */
  other: number[];
}

export function jsonPunctuationTokens(tokens: readonly string[]): JsonPunctuationTokens {
  const found: JsonPunctuationTokens = { closing: [], other: [] };
  tokens.forEach((token, id) => {
    const marks = [...token].filter((c) => !WHITESPACE.includes(c));
    if (marks.length === 0 || !marks.every((c) => PUNCTUATION.includes(c))) return;
    (marks.every((c) => CLOSING.includes(c)) ? found.closing : found.other).push(id);
  });
  return found;
}
