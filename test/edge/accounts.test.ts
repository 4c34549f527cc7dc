// The operator API: POST /v1/accounts, with the operator token (never an API key), makes an account
// and its first admin key; that key manages the account and sees only the account's own models.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { CreatedAccount } from "../../edge/src/api/accounts.ts";
import type { ApiKeyList, IssuedApiKeyObject } from "../../edge/src/api/keys.ts";
import { createApp } from "../../edge/src/app.ts";
import { accounts } from "../../edge/src/db/schema.ts";
import { database } from "../../edge/src/lib/db.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { bearerCases } from "../support/bearer-cases.ts";
import { OPERATOR_TOKEN } from "./operator-token.ts";
import { plantedModel } from "./steered-model.ts";
import { call, newAccount } from "./support.ts";

function createAccount(token: string | undefined, body: string) {
  return call("/v1/accounts", { method: "POST", key: token, body });
}

async function newCustomer(name: string): Promise<CreatedAccount> {
  const response = await createAccount(OPERATOR_TOKEN, JSON.stringify({ name }));
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

async function accountsNamed(name: string) {
  return database(env.DB).select().from(accounts).where(eq(accounts.name, name));
}

async function expectError(response: Response, status: number, error: object) {
  expect(response.status).toBe(status);
  expect(((await response.json()) as ApiErrorBody).error).toMatchObject(error);
}

describe("POST /v1/accounts", () => {
  it("makes an account whose first key is an admin key that works at once", async () => {
    const name = `Acme ${crypto.randomUUID()}`;
    const created = await newCustomer(name);
    expect(created).toMatchObject({
      object: "account",
      name,
      key: { object: "api_key", scope: "admin", revoked_at: null },
    });
    expect(created.id).toMatch(/^acct_/);
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(60);
    expect(created.key.key).toMatch(/^sk-steer-/);
    expect(await accountsNamed(name)).toEqual([expect.objectContaining({ id: created.id })]);

    const listed = await call("/v1/keys", { key: created.key.key });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as ApiKeyList).data).toEqual([
      { ...created.key, key: undefined },
    ]);
    const issued = await call("/v1/keys", {
      key: created.key.key,
      method: "POST",
      body: JSON.stringify({ name: "ci" }),
    });
    expect(issued.status).toBe(201);
    const second: IssuedApiKeyObject = await issued.json();
    expect((await call("/v1/usage", { key: second.key })).status).toBe(200);
  });

  it("refuses a missing or wrong operator token, and any API key, with 401", async () => {
    const customer = await newAccount();
    const name = `refused ${crypto.randomUUID()}`;
    for (const token of [undefined, "wrong", `${OPERATOR_TOKEN}x`, customer.key]) {
      await expectError(await createAccount(token, JSON.stringify({ name })), 401, {
        type: "authentication_error",
        code: "invalid_operator_token",
      });
    }
    const basic = await call("/v1/accounts", {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`operator:${OPERATOR_TOKEN}`)}` },
      body: JSON.stringify({ name }),
    });
    await expectError(basic, 401, { code: "invalid_operator_token" });
    expect(await accountsNamed(name)).toEqual([]);
  });

  it("reads the operator token as the API keys and the node's token are read", async () => {
    for (const [authorization, carries] of bearerCases(OPERATOR_TOKEN)) {
      // A body the route refuses: the token alone is under test, and no account is made.
      const response = await call("/v1/accounts", {
        method: "POST",
        headers: { authorization },
        body: "{}",
      });
      expect({ authorization, status: response.status }).toEqual({
        authorization,
        status: carries ? 400 : 401,
      });
    }
  });

  it("names the field at fault in a bad body", async () => {
    for (const [body, param, code] of [
      ["{}", "name", "invalid_request"],
      [JSON.stringify({ name: "" }), "name", "invalid_request"],
      [JSON.stringify({ name: "x".repeat(201) }), "name", "invalid_request"],
      ["{not json", "body", "invalid_json"],
    ] as const) {
      await expectError(await createAccount(OPERATOR_TOKEN, body), 400, { param, code });
    }
  });

  it("is off (403) in a deployment without OPERATOR_TOKEN", async () => {
    const name = `never made ${crypto.randomUUID()}`;
    const ctx = createExecutionContext();
    const response = await createApp().request(
      "/v1/accounts",
      {
        method: "POST",
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name }),
      },
      { ...env, OPERATOR_TOKEN: undefined },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as ApiErrorBody;
    expect(error).toMatchObject({ type: "permission_error", code: "operator_api_disabled" });
    expect(error.message).toContain("wrangler secret put OPERATOR_TOKEN");
    expect(await accountsNamed(name)).toEqual([]);
  });

  it("is off (403) in a deployment whose OPERATOR_TOKEN no client could send", async () => {
    const ctx = createExecutionContext();
    const response = await createApp().request(
      "/v1/accounts",
      {
        method: "POST",
        headers: { authorization: "Bearer two words", "content-type": "application/json" },
        body: JSON.stringify({ name: "never made" }),
      },
      { ...env, OPERATOR_TOKEN: "two words" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    await expectError(response, 403, { code: "operator_api_disabled" });
  });

  it("gives each account a key that sees its own models only", async () => {
    const [first, second] = await Promise.all([newCustomer("first"), newCustomer("second")]);
    const [firstModel, secondModel] = await Promise.all([
      plantedModel(first.id),
      plantedModel(second.id),
    ]);
    for (const { key, own, other } of [
      { key: first.key.key, own: firstModel.id, other: secondModel.id },
      { key: second.key.key, own: secondModel.id, other: firstModel.id },
    ]) {
      expect((await call(`/v1/steerable-models/${own}`, { key })).status).toBe(200);
      await expectError(await call(`/v1/steerable-models/${other}`, { key }), 404, {
        type: "not_found_error",
      });
      const list = await call("/v1/steerable-models", { key });
      const ids = ((await list.json()) as { data: { id: string }[] }).data.map((model) => model.id);
      expect(ids).toEqual([own]);
    }
  });
  it("replays its first answer to a retry with the same Idempotency-Key, without the secret", async () => {
    const name = `Retried ${crypto.randomUUID()}`;
    const send = () =>
      call("/v1/accounts", {
        method: "POST",
        key: OPERATOR_TOKEN,
        headers: { "Idempotency-Key": `create ${name}` },
        body: JSON.stringify({ name }),
      });
    const first = await send();
    expect(first.status).toBe(201);
    const created = (await first.json()) as CreatedAccount;
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const { key, ...withoutSecret } = created;
    const { key: _secret, ...keyWithoutSecret } = key;
    expect(await again.json()).toEqual({ ...withoutSecret, key: keyWithoutSecret });
    expect(await accountsNamed(name)).toHaveLength(1);
  });
});
