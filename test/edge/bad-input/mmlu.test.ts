// Bad input to the operator's MMLU routes: release files broken every way (rows short or long, an
// answer not A-D, quotes left open, not UTF-8, not sent as CSV, too large), names that are not a
// release file's, and credentials that are not the operator token (probe.ts says what each answer
// must be).
import { describe, inject, it } from "vitest";
import { MAX_MMLU_FILE_BYTES } from "../../../shared/limits.ts";
import { credentialCases } from "../../support/bad-input.ts";
import { OPERATOR_TOKEN } from "../operator-token.ts";
import { plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

const ROW = "What is 1 + 1?,1,2,3,4,B";

/** Files a release never holds, each refused as the body. */
function brokenFiles(valid: string): [string, string | Uint8Array<ArrayBuffer>][] {
  const bytes = new TextEncoder().encode(valid);
  return [
    ["an empty file", ""],
    ["a blank line", "\n"],
    ["a row of five fields", "q,1,2,3,4\n"],
    ["a row of seven fields", `${ROW},C\n`],
    ...["E", "a", "", " B", "AB", "1"].map((answer): [string, string] => [
      `the answer ${JSON.stringify(answer)}`,
      `${ROW}\n${ROW.slice(0, -1)}${answer}\n`,
    ]),
    ["a quote left open", `${ROW}\n"What,1,2,3,4,B\n`],
    ["a header row", `question,A,B,C,D,answer\n${ROW}\n`],
    ["a question past the longest field", `${"x".repeat(8001)},1,2,3,4,A\n`],
    ["JSON", JSON.stringify({ question: "q", answer: "A" })],
    ["not UTF-8", Uint8Array.of(...bytes.slice(0, 5), 0xff, 0xfe, ...bytes.slice(5))],
    [`${MAX_MMLU_FILE_BYTES + 1} bytes`, `${ROW}\n`.repeat(MAX_MMLU_FILE_BYTES / ROW.length + 1)],
  ];
}

describe("bad input: the operator's MMLU", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const probe = workerProbe(OPERATOR_TOKEN);
    const valid = inject("mmluFiles")["anatomy_dev.csv"] as string;
    const path = "/v1/mmlu/anatomy_dev.csv";
    for (const [name, body] of brokenFiles(valid)) {
      const sent = { method: "PUT", body, contentType: "text/csv" };
      await probe.check(path, sent, { name, field: "body", expect: "refused" });
    }
    for (const contentType of [null, "application/json", "text/plain", "text/csv-schema"]) {
      const sent = { method: "PUT", body: valid, contentType };
      const name = `sent as ${contentType}`;
      await probe.check(path, sent, { name, field: "content-type", expect: "refused" });
    }
    for (const file of ["anatomy.csv", "anatomy_val.csv", "Anatomy_dev.csv", "anatomy_dev.CSV"]) {
      const sent = { method: "PUT", body: valid, contentType: "text/csv" };
      await probe.check(`/v1/mmlu/${file}`, sent, { name: file, field: "file", expect: "refused" });
    }
    await probe.ids((file) => `/v1/mmlu/${file}`, "PUT", "file");
    const credentials = [
      ...credentialCases(OPERATOR_TOKEN),
      { name: "an API key", authorization: `Bearer ${key}` },
    ];
    for (const { name, authorization } of credentials) {
      const sent = { method: "PUT", body: valid, contentType: "text/csv", authorization };
      await probe.check(path, sent, { name, field: "authorization", expect: "refused" });
      const listing = { method: "GET", authorization };
      await probe.check("/v1/mmlu", listing, { name, field: "authorization", expect: "refused" });
    }
    probe.expectAllAnswered();
    await expectServing(key, (await plantedModel(accountId)).id);
  });
});
