// API keys: admin keys issue, list and revoke the account's keys; a secret is shown once, a
// revoked key is refused at once, and an account holds at most MAX_KEYS_PER_ACCOUNT live keys.
import { describe, expect, it } from "vitest";
import type { ApiKeyList, IssuedApiKeyObject } from "../../edge/src/api/keys.ts";
import { MAX_KEYS_PER_ACCOUNT } from "../../shared/limits.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { call, newAccount } from "./support.ts";

function createKey(key: string, body: unknown): Promise<Response> {
  return call("/v1/keys", { key, method: "POST", body: JSON.stringify(body) });
}

async function listKeys(key: string): Promise<ApiKeyList> {
  const response = await call("/v1/keys", { key });
  expect(response.status).toBe(200);
  return response.json();
}

describe("API keys", () => {
  it("issues a key whose secret is shown once and works at once", async () => {
    const admin = await newAccount();
    const response = await createKey(admin.key, { name: "ci" });
    expect(response.status).toBe(201);
    const issued: IssuedApiKeyObject = await response.json();
    expect(issued).toMatchObject({
      object: "api_key",
      name: "ci",
      scope: "user",
      revoked_at: null,
    });
    expect(issued.key).toMatch(/^sk-steer-/);
    expect(issued.prefix).toBe(issued.key.slice(0, issued.prefix.length));
    expect(Math.abs(issued.created_at - Date.now() / 1000)).toBeLessThan(60);
    expect((await call("/v1/usage", { key: issued.key })).status).toBe(200);

    const listed = await listKeys(admin.key);
    expect(listed.data.map((key) => key.id)).toEqual([admin.id, issued.id]);
    expect(JSON.stringify(listed)).not.toContain(issued.key);
    expect(listed.data[1]).toEqual({ ...issued, key: undefined });
  });

  it("issues admin keys that may manage keys in turn", async () => {
    const admin = await newAccount();
    const issued: IssuedApiKeyObject = await (
      await createKey(admin.key, { name: "second admin", scope: "admin" })
    ).json();
    expect(issued.scope).toBe("admin");
    expect((await listKeys(issued.key)).data).toHaveLength(2);
  });

  it("refuses user-scoped keys with 403", async () => {
    const user = await newAccount("user");
    for (const response of [
      await createKey(user.key, { name: "x" }),
      await call("/v1/keys", { key: user.key }),
      await call(`/v1/keys/${user.id}`, { key: user.key, method: "DELETE" }),
    ]) {
      expect(response.status).toBe(403);
      const body: ApiErrorBody = await response.json();
      expect(body.error).toMatchObject({ type: "permission_error", code: "admin_key_required" });
    }
  });

  it("names the field at fault in a bad request", async () => {
    const admin = await newAccount();
    for (const [body, param] of [
      [{ scope: "user" }, "name"],
      [{ name: "x", scope: "root" }, "scope"],
      [{ name: "" }, "name"],
    ] as const) {
      const response = await createKey(admin.key, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as ApiErrorBody).error.param).toBe(param);
    }
  });

  it("revokes a key: refused at its next request, listed with revoked_at, twice is fine", async () => {
    const admin = await newAccount();
    const issued: IssuedApiKeyObject = await (await createKey(admin.key, { name: "old" })).json();
    const revoke = () => call(`/v1/keys/${issued.id}`, { key: admin.key, method: "DELETE" });

    const response = await revoke();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: issued.id, object: "api_key", revoked: true });
    expect((await call("/v1/usage", { key: issued.key })).status).toBe(401);
    const revokedAt = (await listKeys(admin.key)).data[1]?.revoked_at;
    expect(revokedAt).toBeGreaterThanOrEqual(issued.created_at);

    expect((await revoke()).status).toBe(200);
    expect((await listKeys(admin.key)).data[1]?.revoked_at).toBe(revokedAt);
  });

  it("keeps the account's last admin key: 409, until another admin key exists", async () => {
    const admin = await newAccount();
    const revokeOwn = () => call(`/v1/keys/${admin.id}`, { key: admin.key, method: "DELETE" });
    const refused = await revokeOwn();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe("last_admin_key");
    expect((await call("/v1/keys", { key: admin.key })).status).toBe(200);

    await createKey(admin.key, { name: "second admin", scope: "admin" });
    expect((await revokeOwn()).status).toBe(200);
    expect((await call("/v1/keys", { key: admin.key })).status).toBe(401);
  });

  it("answers 404 for another account's key or an unknown one, and leaves it working", async () => {
    const admin = await newAccount();
    const other = await newAccount();
    for (const id of [other.id, "key_unknown"]) {
      const response = await call(`/v1/keys/${id}`, { key: admin.key, method: "DELETE" });
      expect(response.status).toBe(404);
      expect(((await response.json()) as ApiErrorBody).error.code).toBe("key_not_found");
    }
    expect((await call("/v1/keys", { key: other.key })).status).toBe(200);
    expect((await listKeys(admin.key)).data.map((key) => key.id)).toEqual([admin.id]);
  });

  it(`caps an account at ${MAX_KEYS_PER_ACCOUNT} live keys: 409, until one is revoked`, async () => {
    const admin = await newAccount();
    const issued: IssuedApiKeyObject[] = [];
    for (let i = 1; i < MAX_KEYS_PER_ACCOUNT; i++) {
      const response = await createKey(admin.key, { name: `key ${i}` });
      expect(response.status).toBe(201);
      issued.push(await response.json());
    }
    const refused = await createKey(admin.key, { name: "one too many" });
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as ApiErrorBody;
    expect(error).toMatchObject({ type: "conflict_error", code: "key_limit_reached" });
    expect(error.message).toContain(`${MAX_KEYS_PER_ACCOUNT} API keys`);
    expect(error.message).toContain("revoke one");
    expect((await listKeys(admin.key)).data).toHaveLength(MAX_KEYS_PER_ACCOUNT);

    const revoked = issued[0]?.id;
    expect((await call(`/v1/keys/${revoked}`, { key: admin.key, method: "DELETE" })).status).toBe(
      200,
    );
    expect((await createKey(admin.key, { name: "in its place" })).status).toBe(201);
    expect((await createKey(admin.key, { name: "one too many" })).status).toBe(409);
  });

  it("lets no more keys than the cap through when they are asked for at once", async () => {
    const admin = await newAccount();
    const statuses = await Promise.all(
      Array.from({ length: MAX_KEYS_PER_ACCOUNT + 4 }, (_, i) =>
        createKey(admin.key, { name: `key ${i}` }).then((response) => response.status),
      ),
    );
    // The account's first key holds one place.
    expect(statuses.filter((status) => status === 201)).toHaveLength(MAX_KEYS_PER_ACCOUNT - 1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(5);
    const live = (await listKeys(admin.key)).data.filter((key) => key.revoked_at === null);
    expect(live).toHaveLength(MAX_KEYS_PER_ACCOUNT);
  });
});
