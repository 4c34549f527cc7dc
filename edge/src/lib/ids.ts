// Identifiers and secrets: random, URL-safe, with a prefix that says what they name.

export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${base64url(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

/** An API key: "sk-steer-" and 32 random bytes. */
export function newSecretKey(): string {
  return `sk-steer-${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

export async function sha256(data: string | Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** Hex SHA-256: every authenticated request computes one (its key's), so it is kept lean. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await sha256(data);
  let hex = "";
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
