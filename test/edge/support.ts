// What the edge tests share: an account with a key, requests to the Worker as that key, a body
// streamed to it, and the usage rows metering writes.
import { env, exports } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { expect, vi } from "vitest";
import { usage } from "../../edge/src/db/schema.ts";
import { createAccount, type IssuedKey, issueKey } from "../../edge/src/lib/accounts.ts";
import { database } from "../../edge/src/lib/db.ts";
import type { ChatCompletionChunk } from "../../shared/openai/chat.ts";

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

/**
 * The account's usage rows, oldest first, once there are `count`: metering sends them to the usage
 * queue after the response, and its consumer writes them within its batch timeout (wrangler.toml).
 */
export async function usageRows(accountId: string, count: number) {
  const db = database(env.DB);
  return vi.waitFor(
    async () => {
      const rows = await db
        .select()
        .from(usage)
        .where(eq(usage.accountId, accountId))
        .orderBy(asc(usage.createdAt));
      if (rows.length < count) throw new Error(`${rows.length} usage rows of ${count}`);
      return rows;
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** A streamed chat answer's chunks, [DONE] left out; it must have ended with [DONE]. */
export async function streamedChunks(response: Response): Promise<ChatCompletionChunk[]> {
  const text = await response.text();
  expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  return text
    .split("\n\n")
    .map((event) => event.replace(/^data: /, ""))
    .filter((data) => data.startsWith("{"))
    .map((data) => JSON.parse(data) as ChatCompletionChunk);
}
