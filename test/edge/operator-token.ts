// The operator token the edge tests' Worker is given (its OPERATOR_TOKEN binding, set in
// vitest.config.ts): what POST /v1/accounts needs.
export const OPERATOR_TOKEN = "edge-test-operator-token";
