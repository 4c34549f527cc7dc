// Bad input to the operator's GPU node routes: bodies, URLs that are not a node's base URL or name
// no node, node ids that are not one, and credentials that are not the operator token (probe.ts
// says what each answer must be).
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { addNodeRequestSchema } from "../../../edge/src/api/nodes.ts";
import { credentialCases } from "../../support/bad-input.ts";
import { OPERATOR_TOKEN } from "../operator-token.ts";
import { plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

/** Base URLs no node answers at, or that are no base URL at all: each a 400 naming url. */
const NOT_NODES = [
  "http://127.0.0.1:9",
  "ftp://127.0.0.1:9",
  "file:///etc/passwd",
  "javascript:alert(1)",
  "http://user:secret@127.0.0.1:9",
  "http://127.0.0.1:9/?a=1",
  "http://127.0.0.1:9/#top",
  `${env.GPU_NODES}/v1/models`,
  `http://127.0.0.1:9/${"x".repeat(2100)}`,
];

describe("bad input: the operator's GPU nodes", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const probe = workerProbe(OPERATOR_TOKEN);
    await probe.bodies("/v1/operator/nodes", { url: env.GPU_NODES }, addNodeRequestSchema);
    for (const url of NOT_NODES) {
      const sent = { body: JSON.stringify({ url }), contentType: "application/json" };
      await probe.check("/v1/operator/nodes", sent, { name: url, field: "url", expect: "refused" });
    }
    await probe.ids((id) => `/v1/operator/nodes/${id}/drain`, "POST");
    await probe.ids((id) => `/v1/operator/nodes/${id}`, "DELETE");
    const credentials = [
      ...credentialCases(OPERATOR_TOKEN),
      { name: "an API key", authorization: `Bearer ${key}` },
    ];
    for (const { name, authorization } of credentials) {
      const listing = { method: "GET", authorization };
      await probe.check("/v1/operator/nodes", listing, {
        name,
        field: "authorization",
        expect: "refused",
      });
      const adding = {
        body: JSON.stringify({ url: env.GPU_NODES }),
        contentType: "application/json",
        authorization,
      };
      await probe.check("/v1/operator/nodes", adding, {
        name,
        field: "authorization",
        expect: "refused",
      });
    }
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});
