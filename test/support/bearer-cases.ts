// Authorization headers carrying `token`, and whether each carries it: the cases the edge (API
// keys, the operator token) and the GPU node (its token) are tested on alike, as the one parser
// (shared/http/bearer.ts) reads them. A header's leading and trailing spaces never reach a server
// (HTTP trims them), so those cases are the parser's own test's (test/bearer.test.ts).
export function bearerCases(token: string): [header: string, carries: boolean][] {
  return [
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`BEARER ${token}`, true],
    [`Bearer  ${token}`, false],
    [`Bearer\t${token}`, false],
    [`Bearer${token}`, false],
    [`Bearer ${token} ${token}`, false],
    [`Bearer ${token},`, false],
    [`Basic ${token}`, false],
    ["Bearer", false],
  ];
}
