// Bad input to the vector files' routes: control-vector GGUFs broken every way (cut short, header
// fields, flipped bytes, absurd values, too large) and odd queries to the import, odd traits to
// the download (probe.ts says what each answer must be).
import { describe, inject, it } from "vitest";
import { MAX_VECTOR_BYTES } from "../../../shared/limits.ts";
import { vectorFileCases } from "../../support/bad-input.ts";
import { BASE_MODEL, plantedModel } from "../steered-model.ts";
import { newAccount } from "../support.ts";
import { expectServing, GROUP_TIMEOUT_MS, workerProbe } from "./probe.ts";

const plantedBytes = () =>
  Uint8Array.from(atob(inject("plantedVector")), (char) => char.charCodeAt(0));

const asFile = (body: Uint8Array<ArrayBuffer>) => ({
  body,
  contentType: "application/octet-stream",
});

describe("bad input: vector files", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("is refused naming the field, never a 5xx or a hang", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const probe = workerProbe(key);
    const valid = plantedBytes();
    const files = vectorFileCases(valid, MAX_VECTOR_BYTES);
    const importPath = `/v1/steerable-models/import?trait=imported&model=${BASE_MODEL}`;
    for (const file of files) {
      await probe.check(importPath, asFile(file.body), { ...file, field: "body" });
    }
    await probe.queries("/v1/steerable-models/import", { trait: "imported" }, asFile(valid));
    await probe.ids((trait) => `/v1/steerable-models/${id}/vectors/${trait}`, "GET", "trait");
    probe.expectAllAnswered();
    await expectServing(key, id);
  });
});
