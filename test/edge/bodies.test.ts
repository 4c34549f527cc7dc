// Request bodies: a JSON body is at most what a GPU node reads (MAX_JSON_BODY_BYTES), a vector file
// at most what a node takes (MAX_VECTOR_BYTES), and the edge refuses a larger one itself, with a
// 413 in OpenAI's error shape naming the limit, whether the body's length is announced or streamed;
// a body that is not JSON, or not sent as JSON, is a 4xx naming it too.
import { describe, expect, it } from "vitest";
import { MAX_JSON_BODY_BYTES } from "../../shared/limits.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount, streamed } from "./support.ts";

const TWO_MB = 2 * 1024 * 1024;

/**
 * A chat request of `bytes` bytes. Its model exists nowhere: a request the edge let through would
 * be a 404 for it, so a 413 can only be the edge's own refusal, before the body was read.
 */
function chatBody(bytes: number): string {
  const start = '{"model":"no-such-model","messages":[{"role":"user","content":"';
  const end = '"}]}';
  return start + "x".repeat(bytes - start.length - end.length) + end;
}

/** Bytes, not a string: `call` would send a string as JSON. */
const bytesOf = (text: string) => new TextEncoder().encode(text);

function post(path: string, key: string, body: BodyInit, headers: Record<string, string> = {}) {
  // A stream needs duplex: "half" to be a request body.
  return call(path, { key, method: "POST", body, headers, duplex: "half" } as RequestInit);
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as ApiErrorBody).error };
}

describe("request bodies", () => {
  it("refuses a JSON body over the limit with a 413 naming it, announced or streamed", async () => {
    const { key } = await newAccount();
    const body = chatBody(TWO_MB);
    const json = { "content-type": "application/json" };
    for (const response of [
      await post("/v1/chat/completions", key, body, json),
      await post("/v1/chat/completions", key, streamed(body), json),
    ]) {
      const error = await errorOf(response);
      expect(error).toMatchObject({ status: 413, code: "body_too_large", param: "body" });
      expect(error.message).toContain(String(MAX_JSON_BODY_BYTES));
    }
    // At the limit, the request is read, announced or streamed: here, a 404 for its model.
    const atLimit = chatBody(MAX_JSON_BODY_BYTES);
    for (const read of [atLimit, streamed(atLimit)]) {
      const response = await post("/v1/chat/completions", key, read, json);
      expect(await errorOf(response)).toMatchObject({ status: 404, param: "model" });
    }
  });

  it("bounds every JSON route, the operator's too", async () => {
    const { key } = await newAccount();
    const huge = JSON.stringify({ name: "x".repeat(TWO_MB) });
    for (const path of ["/v1/keys", "/v1/steerable-models", "/completions", "/v1/accounts"]) {
      const error = await errorOf(
        await post(path, key, huge, { "content-type": "application/json" }),
      );
      expect({ path, ...error }).toMatchObject({ path, status: 413, param: "body" });
    }
  });

  it("takes a vector file larger than a JSON body (its own limit: vectors.test.ts)", async () => {
    const { key } = await newAccount();
    const path = "/v1/steerable-models/import?trait=big&model=steer-test";
    // Past the JSON limit the file is still read: this one is refused for what it is, not its size.
    const notGguf = await post(path, key, new Uint8Array(TWO_MB));
    expect(await errorOf(notGguf)).toMatchObject({ status: 400, code: "invalid_control_vector" });
  });

  it("refuses malformed JSON with a 400, and a body not sent as JSON with a 415, naming them", async () => {
    const { key } = await newAccount();
    const malformed = await post("/v1/chat/completions", key, '{"model": "x",', {
      "content-type": "application/json",
    });
    expect(await errorOf(malformed)).toMatchObject({
      status: 400,
      code: "invalid_json",
      param: "body",
    });
    const body = JSON.stringify({ model: "x", messages: [{ role: "user", content: "Hi" }] });
    const headerSets: Record<string, string>[] = [{ "content-type": "text/plain" }, {}];
    for (const headers of headerSets) {
      const error = await errorOf(await post("/v1/chat/completions", key, bytesOf(body), headers));
      expect(error).toMatchObject({
        status: 415,
        code: "unsupported_media_type",
        param: "content-type",
      });
      expect(error.message).toContain("the body must be JSON");
    }
  });
});
