// The token of an `Authorization: Bearer <token>` header, parsed one way for the edge (API keys,
// the operator token) and the GPU node (its node token). RFC 6750 (2.1) writes it
//   credentials = "Bearer" 1*SP b64token
//   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// with the scheme's case free (RFC 7235). Where it allows several spaces, this takes exactly one,
// as every client sends: "Bearer  <key>" comes of a key pasted badly or a template's empty part,
// and refusing it says so where accepting would hide it. Nothing may follow the token.
const BEARER = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** The bearer token in `authorization`, or undefined when it holds none, or not in that form. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? "")?.[1];
}

/** Whether a configured secret (a node token, the operator token) can be sent as a bearer token. */
export function isBearerToken(token: string): boolean {
  return bearerToken(`Bearer ${token}`) === token;
}

/** What a bearer token may hold, in words, for a secret that cannot be one. */
export const BEARER_TOKEN_RULE =
  "a bearer token holds letters, digits and - . _ ~ + /, then = padding (RFC 6750's b64token)";
