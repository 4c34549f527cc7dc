// Idempotency-Key: the first answer to a key (errors included) is replayed to retries for 24 h;
// the same key for another request is 422, a retry while the first still runs is 409.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { ApiKeyList, IssuedApiKeyObject } from "../../edge/src/api/keys.ts";
import { idempotency } from "../../edge/src/db/schema.ts";
import type { EdgeEnv } from "../../edge/src/env.ts";
import { database } from "../../edge/src/lib/db.ts";
import { authenticate } from "../../edge/src/middleware/auth.ts";
import { idempotent } from "../../edge/src/middleware/idempotency.ts";
import { ApiError } from "../../shared/http/api-error.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount } from "./support.ts";

function createKey(key: string, body: unknown, idempotencyKey?: string): Promise<Response> {
  const headers = idempotencyKey === undefined ? undefined : { "Idempotency-Key": idempotencyKey };
  return call("/v1/keys", { key, method: "POST", body: JSON.stringify(body), headers });
}

async function keyCount(key: string): Promise<number> {
  return ((await (await call("/v1/keys", { key })).json()) as ApiKeyList).data.length;
}

async function errorOf(response: Response) {
  return ((await response.json()) as ApiErrorBody).error;
}

/** Moves an account's stored claims back in time. */
async function age(accountId: string, milliseconds: number) {
  await database(env.DB)
    .update(idempotency)
    .set({ createdAt: Date.now() - milliseconds })
    .where(eq(idempotency.accountId, accountId));
}

describe("idempotency", () => {
  it("replays the first answer to a retry, without running the request again or its secret", async () => {
    const admin = await newAccount();
    const first = await createKey(admin.key, { name: "deploy" }, "retry-1");
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const issued: IssuedApiKeyObject = await first.json();

    const retry = await createKey(admin.key, { name: "deploy" }, "retry-1");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.json()).toEqual({ ...issued, key: undefined });
    expect(await keyCount(admin.key)).toBe(2);
  });

  it("never stores a key's secret", async () => {
    const admin = await newAccount();
    const issued: IssuedApiKeyObject = await (
      await createKey(admin.key, { name: "x" }, "secret-1")
    ).json();
    const stored = await database(env.DB)
      .select({ body: idempotency.body })
      .from(idempotency)
      .where(eq(idempotency.accountId, admin.accountId));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.body).not.toContain(issued.key);
  });

  it("changes nothing without the header", async () => {
    const admin = await newAccount();
    await createKey(admin.key, { name: "a" });
    const second = await createKey(admin.key, { name: "a" });
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await keyCount(admin.key)).toBe(3);
  });

  it("replays errors too", async () => {
    const admin = await newAccount();
    const first = await createKey(admin.key, { name: "" }, "bad-1");
    expect(first.status).toBe(400);
    const retry = await createKey(admin.key, { name: "" }, "bad-1");
    expect(retry.status).toBe(400);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await errorOf(retry)).toEqual(await errorOf(first));
  });

  it("refuses the same key for a different request with 422", async () => {
    const admin = await newAccount();
    await createKey(admin.key, { name: "one" }, "reused");
    const response = await createKey(admin.key, { name: "two" }, "reused");
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: "idempotency_key_reused",
      param: "Idempotency-Key",
    });
    expect(await keyCount(admin.key)).toBe(2);
  });

  it("keeps each account's keys apart", async () => {
    const first = await newAccount();
    const second = await newAccount();
    await createKey(first.key, { name: "k" }, "shared-key");
    const response = await createKey(second.key, { name: "k" }, "shared-key");
    expect(response.status).toBe(201);
    expect(response.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("refuses a key that is empty or longer than 255 characters with 400", async () => {
    const admin = await newAccount();
    for (const idempotencyKey of ["", "k".repeat(256)]) {
      const response = await createKey(admin.key, { name: "x" }, idempotencyKey);
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({
        code: "invalid_idempotency_key",
        param: "Idempotency-Key",
      });
    }
    expect((await createKey(admin.key, { name: "x" }, "k".repeat(255))).status).toBe(201);
  });

  it("runs a request again once its answer is over 24 hours old", async () => {
    const admin = await newAccount();
    await createKey(admin.key, { name: "daily" }, "day-1");
    await age(admin.accountId, 25 * 60 * 60 * 1000);
    const later = await createKey(admin.key, { name: "daily" }, "day-1");
    expect(later.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await keyCount(admin.key)).toBe(3);
  });

  describe("while the first request runs", () => {
    // A create route that answers only when the test lets it: each request waits here.
    const waiting: (() => void)[] = [];
    const slow = new Hono<EdgeEnv>()
      .use(authenticate)
      .post("/slow", idempotent, async (c) => {
        await new Promise<void>((resolve) => waiting.push(resolve));
        return c.json({ created: crypto.randomUUID() }, 201);
      })
      .onError((error, c) => {
        if (error instanceof ApiError) return error.response(c);
        throw error;
      });
    const post = (key: string) =>
      slow.request(
        "/slow",
        {
          method: "POST",
          body: "{}",
          headers: { authorization: `Bearer ${key}`, "Idempotency-Key": "slow-1" },
        },
        env,
      );

    function releaseAll() {
      for (const answer of waiting.splice(0)) answer();
    }

    async function untilWaiting(requests: number) {
      for (let tries = 0; waiting.length < requests; tries++) {
        if (tries === 200) throw new Error(`${requests} requests never reached the handler`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    it("answers a retry 409, then replays the first answer once it is done", async () => {
      const admin = await newAccount();
      const first = post(admin.key);
      await untilWaiting(1);
      const early = await post(admin.key);
      expect(early.status).toBe(409);
      expect((await errorOf(early)).code).toBe("idempotency_key_in_use");

      releaseAll();
      const answer = await first;
      expect(answer.status).toBe(201);
      const replay = await post(admin.key);
      expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await replay.json()).toEqual(await answer.json());
    });

    it("lets a retry run the request when the first was lost minutes ago", async () => {
      const admin = await newAccount();
      const lost = post(admin.key);
      await untilWaiting(1);
      await age(admin.accountId, 10 * 60 * 1000);
      const retry = post(admin.key);
      await untilWaiting(2);
      waiting[1]?.();
      expect((await retry).status).toBe(201);
      expect((await retry).headers.get("Idempotent-Replayed")).toBeNull();
      releaseAll();
      await lost;
    });
  });
});
