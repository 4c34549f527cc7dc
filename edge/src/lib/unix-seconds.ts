// D1 keeps times as Unix milliseconds; the API answers Unix seconds, as OpenAI's does.
export function unixSeconds(milliseconds: number): number {
  return Math.floor(milliseconds / 1000);
}
