// What the edge tests share: an account with a key, requests to the Worker as that key, and a
// body streamed to it.
import { env, exports } from "cloudflare:workers";
import { createAccount, type IssuedKey, issueKey } from "../../edge/src/lib/accounts.ts";
import { database } from "../../edge/src/lib/db.ts";

export async function newAccount(scope: IssuedKey["scope"] = "admin") {
  const db = database(env.DB);
  const accountId = await createAccount(db, "test account");
  const issued = await issueKey(db, accountId, "test key", scope);
  return { accountId, ...issued };
}

/** Calls the Worker, as `key` when one is given. */
export function call(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (typeof init.body === "string") headers.set("content-type", "application/json");
  return exports.default.fetch(new Request(`https://edge.test${path}`, { ...init, headers }));
}

/** `body` as a stream of 64 KiB chunks: a request body whose length nobody announces. */
export function streamed(body: string | Uint8Array): ReadableStream<Uint8Array> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 65_536));
      offset += 65_536;
    },
  });
}
